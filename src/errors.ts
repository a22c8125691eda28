/**
 * Errors as data: every refusal the library gives is an {@link OAuthError} carrying the RFC
 * error code, the HTTP status and any headers the RFCs require. Exactly one function
 * (`errorResponse` in `http/response.ts`) turns it into a `Response`.
 *
 * @module
 */

/**
 * Error codes from RFC 6749 s5.2 and the RFCs that extend its registry (RFC 8707
 * `invalid_target`, RFC 9449 `invalid_dpop_proof` and `use_dpop_nonce`, RFC 6750
 * `invalid_token` and `insufficient_scope`, RFC 7009 `unsupported_token_type`, RFC 6749
 * s4.1.2.1 `unsupported_response_type`), plus
 * `server_error` and `temporarily_unavailable` for faults of the server itself.
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "invalid_target"
  | "invalid_dpop_proof"
  | "use_dpop_nonce"
  | "invalid_token"
  | "insufficient_scope"
  | "unsupported_token_type"
  | "unsupported_response_type"
  | "server_error"
  | "temporarily_unavailable";

/** Options for {@link OAuthError}. */
export interface OAuthErrorOptions {
  /** HTTP status; defaults to the usual one for the code (400, 401 for `invalid_token`, ...). */
  status?: number;
  /** Extra response headers, e.g. `WWW-Authenticate`, `Allow`, `Retry-After`. */
  headers?: Record<string, string>;
  /** The underlying fault, kept for logs; never sent to the caller. */
  cause?: unknown;
}

const DEFAULT_STATUS: Partial<Record<OAuthErrorCode, number>> = {
  invalid_token: 401,
  insufficient_scope: 403,
  server_error: 500,
  temporarily_unavailable: 503,
};

/**
 * Keeps a description within RFC 6749 s5.2's character set (%x20-21 / %x23-5B / %x5D-7E):
 * descriptions may quote a parameter name the caller chose.
 */
function printable(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "?");
}

/**
 * An OAuth error response as a value.
 *
 * @example
 * ```ts
 * import { OAuthError } from "./errors.ts";
 * const e = new OAuthError("invalid_scope", "scope 'admin' is not registered for this client");
 * e.status; // 400
 * ```
 */
export class OAuthError extends Error {
  /** The RFC error code, sent as `error`. */
  readonly error: OAuthErrorCode;
  /** Human-readable detail, sent as `error_description` (printable ASCII only). */
  readonly error_description: string | undefined;
  /** HTTP status of the response. */
  readonly status: number;
  /** Extra response headers. */
  readonly headers: Record<string, string> | undefined;

  constructor(error: OAuthErrorCode, description?: string, options: OAuthErrorOptions = {}) {
    super(description ? `${error}: ${description}` : error, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "OAuthError";
    this.error = error;
    this.error_description = description === undefined ? undefined : printable(description);
    this.status = options.status ?? DEFAULT_STATUS[error] ?? 400;
    this.headers = options.headers;
  }

  /** The JSON body of RFC 6749 s5.2. */
  toJSON(): { error: OAuthErrorCode; error_description?: string } {
    return this.error_description === undefined
      ? { error: this.error }
      : { error: this.error, error_description: this.error_description };
  }
}

/**
 * Thrown at start-up when options or a client registration are invalid. `path` names the
 * option, when one is to blame: `accessTokenLifetime`, `clients[3].scope`,
 * `trustedIssuers[0].issuer`.
 *
 * @example
 * ```ts
 * import { ConfigurationError } from "./errors.ts";
 * const e = new ConfigurationError("clients[3].scope must be a string", "clients[3].scope");
 * e.path; // "clients[3].scope"
 * ```
 */
export class ConfigurationError extends Error {
  /** The full path of the option at fault, when one is. */
  readonly path: string | undefined;
  constructor(message: string, path?: string) {
    super(message);
    this.name = "ConfigurationError";
    this.path = path;
  }
}
