/**
 * The grant seam (RFC 6749 s4, s5): what every grant type the token endpoint supports
 * looks like. A grant reads its own parameters from the form, for a client that has already
 * authenticated, and decides what to issue; the token endpoint does everything around it
 * (transport, form, client authentication, DPoP, issuing, the response). Adding a grant is
 * one file that exports a {@link GrantType} and one line in `registry.ts`.
 *
 * @module
 */

import type { Client } from "../clients/registration.ts";
import type { FormParameters } from "../http/form.ts";
import type { ServerConfig } from "../config/server_config.ts";
import type { AccessTokenGrant } from "../tokens/access_token.ts";

/** What a grant decided: the token to issue, and what the response says beyond RFC 6749 s5.1. */
export interface GrantDecision {
  /** Who gets a token, for what, for how long at most. */
  readonly grant: AccessTokenGrant;
  /** RFC 8693 s2.2.1: the type of the issued token, sent as `issued_token_type`; absent for other grants. */
  readonly issued_token_type?: string;
  /**
   * The RFC 7638 thumbprint of the key a DPoP proof with this request must show, when the
   * grant rests on a token bound to that key (RFC 9449 s6): without it, a bound token could
   * be traded for an unbound one. Absent: any proof, or none, will do.
   */
  readonly proofKey?: string;
  /**
   * The `x5t#S256` of the TLS client certificate the request must come with, when the grant
   * rests on a token bound to that certificate (RFC 8705 s3): without it, a stolen bound
   * token could be traded for an unbound one. The issued token is bound to it too. Absent:
   * no certificate is asked for.
   */
  readonly proofCertificate?: string;
}

/**
 * One grant type of the token endpoint. `decide` runs after the dispatch has checked that
 * the grant is supported and that the client's registration lists it (RFC 6749 s5.2
 * `unauthorized_client`); it throws an `OAuthError` to refuse.
 *
 * @example A grant that issues the client's default scope
 * ```ts
 * import type { GrantType } from "./grant.ts";
 * const example: GrantType = {
 *   grant_type: "urn:example:grant",
 *   supported: () => true,
 *   decide: (_form, client) => ({ grant: { client, scope: client.default_scope, resource: [] } }),
 * };
 * ```
 */
export interface GrantType {
  /** The `grant_type` value (RFC 6749 s4.4.2, or an absolute URI for extension grants, s4.5). */
  readonly grant_type: string;
  /** Whether the server's configuration enables it; an unsupported grant is `unsupported_grant_type`. */
  supported(ctx: ServerConfig): boolean;
  /** Validates the request's grant parameters and decides what to issue. */
  decide(form: FormParameters, client: Client, ctx: ServerConfig): GrantDecision | Promise<GrantDecision>;
}
