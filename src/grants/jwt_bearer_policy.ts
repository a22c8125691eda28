/**
 * Who may be granted what for an assertion (RFC 7523 s2.1, s3; RFC 7521 s4.1): the
 * `jwtBearerPolicy` option, asked once the assertion and the request have passed every
 * check, to map the assertion's subject to the scope and audience it may have here.
 * Without it the JWT bearer grant is off: unsupported, not listed in the metadata.
 *
 * @module
 */

import type { ClientRegistration } from "../clients/registration.ts";
import { OAuthError } from "../errors.ts";
import type { GrantProfile } from "../federation/trusted_issuer.ts";
import { parseScope } from "../scope.ts";
import { withDeadline } from "../stores/deadline.ts";

/**
 * A verified assertion, as the policy sees it, with what the server would grant before the
 * policy narrows it.
 *
 * @example
 * ```ts
 * import type { JwtBearerRequest } from "./jwt_bearer_policy.ts";
 * const isAlice = (r: JwtBearerRequest) => r.issuer === "https://idp.example.com" && r.subject === "alice";
 * ```
 */
export interface JwtBearerRequest {
  /** The authenticated client presenting the assertion: the new token's `client_id`. */
  readonly client: ClientRegistration;
  /** The trusted issuer that signed the assertion, exactly as configured (its `iss`). */
  readonly issuer: string;
  /** The assertion's `sub`: whom the assertion is about, in the issuer's words. */
  readonly subject: string;
  /** `id-jag` for an Identity Assertion JWT Authorization Grant, `jwt-bearer` for a plain RFC 7523 assertion. */
  readonly profile: GrantProfile;
  /** Every claim of the assertion, as signed (`scope`, `resource`, `email`, `tenant`, `amr`...). */
  readonly claims: Readonly<Record<string, unknown>>;
  /**
   * The scope the server would grant, space-separated ("" for none): the request's
   * `scope`, or else the assertion's, within the client's registration and the
   * assertion's `scope` claim.
   */
  readonly scope: string;
  /** The audience the server would grant: resource indicators within the client's and the assertion's `resource`. */
  readonly resource: readonly string[];
}

/**
 * What the policy grants the subject: at most `scope` (space-separated; the token gets the
 * scope tokens of the request that are in it), at most the audiences in `resource` (every
 * audience of the request must be one of them, else `invalid_target`; absent: any the
 * client may ask for), and optionally the local subject the token names (`sub`, for a
 * server that resolves the issuer's subject to its own; default the assertion's `sub`).
 *
 * @example
 * ```ts
 * import type { JwtBearerGrant } from "./jwt_bearer_policy.ts";
 * const grant: JwtBearerGrant = { scope: "chat.read", resource: ["https://api.chat.example"] };
 * ```
 */
export interface JwtBearerGrant {
  readonly scope: string;
  readonly resource?: readonly string[];
  readonly sub?: string;
}

/**
 * The `jwtBearerPolicy` option: given a verified assertion (see {@link JwtBearerRequest}),
 * the scope and audience its subject may have ({@link JwtBearerGrant}), or `false` (or
 * anything that is not a grant) to refuse with `invalid_grant` (RFC 7521 s4.1: the
 * assertion is not acceptable). It can only narrow: the token's scope is within what the
 * request asked for, the client's registration, the assertion's `scope` and the policy's
 * answer. Called after every built-in check and before the assertion's `jti` is used up,
 * under `storeTimeoutMs`; a hook that throws anything but an `OAuthError` is a
 * `500 server_error`: the policy fails closed.
 *
 * @example Users of the enterprise IdP may read chats through the "wiki" client
 * ```ts
 * import type { JwtBearerPolicy } from "./jwt_bearer_policy.ts";
 * const jwtBearerPolicy: JwtBearerPolicy = (r) =>
 *   r.issuer === "https://acme.idp.example" && r.client.client_id === "wiki"
 *     ? { scope: "chat.read chat.history", resource: ["https://api.chat.example"] }
 *     : false;
 * ```
 */
export type JwtBearerPolicy = (request: JwtBearerRequest) => JwtBearerGrant | false | Promise<JwtBearerGrant | false>;

/** What the server grants after the policy: scope, audience, subject. */
export interface PolicyOutcome {
  readonly scope: string;
  readonly resource: readonly string[];
  readonly sub: string;
}

/**
 * Asks the policy and narrows `request` to its answer. Refusal is `invalid_grant`; an
 * audience outside the policy's is `invalid_target`; an answer that is not a grant (a
 * malformed scope, a non-string `sub`) refuses too, rather than granting something unsaid.
 */
export async function askJwtBearerPolicy(policy: JwtBearerPolicy, request: JwtBearerRequest, timeoutMs: number): Promise<PolicyOutcome> {
  const answer: unknown = await withDeadline("jwtBearerPolicy", timeoutMs, () => policy(request));
  const refuse = () => new OAuthError("invalid_grant", "the assertion's subject is not granted access by this server's policy");
  if (typeof answer !== "object" || answer === null) throw refuse();
  const { scope, resource, sub } = answer as Partial<JwtBearerGrant>;
  if (typeof scope !== "string") throw refuse();
  if (resource !== undefined && !(Array.isArray(resource) && resource.every((r) => typeof r === "string"))) throw refuse();
  if (sub !== undefined && (typeof sub !== "string" || sub === "")) throw refuse();
  let allowed: Set<string>;
  try {
    allowed = new Set(scope === "" ? [] : parseScope(scope));
  } catch {
    throw refuse();
  }
  const granted = request.scope === "" ? [] : request.scope.split(" ").filter((t) => allowed.has(t));
  // Nothing of a non-empty scope is left: the subject may not have what was asked for.
  if (granted.length === 0 && request.scope !== "") {
    throw new OAuthError("invalid_scope", "the assertion's subject may not be granted the requested scope");
  }
  if (resource !== undefined && !request.resource.every((r) => resource.includes(r))) {
    throw new OAuthError("invalid_target", "the assertion's subject may not be granted a token for this resource");
  }
  return { scope: granted.join(" "), resource: request.resource, sub: sub ?? request.subject };
}
