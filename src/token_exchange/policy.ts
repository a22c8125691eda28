/**
 * Who may exchange what (RFC 8693 s2.1, s5): the `tokenExchangePolicy` option, asked once
 * everything else about an exchange has been checked, with the token that would be issued.
 * Without it token exchange is off: the grant is not supported, not listed in the metadata.
 *
 * @module
 */

import type { ClientRegistration } from "../clients/registration.ts";
import { withDeadline } from "../stores/deadline.ts";
import type { ActorClaim } from "../tokens/actor.ts";
import type { ExchangedToken } from "./exchanged_token.ts";

/**
 * An exchange the server is ready to grant, as the policy sees it: the verified tokens and
 * the token that would be issued.
 *
 * @example
 * ```ts
 * import type { TokenExchangeRequest } from "./policy.ts";
 * const allowed = (r: TokenExchangeRequest) => r.client.client_id === "agent" && r.subject_token.client_id === "ci";
 * ```
 */
export interface TokenExchangeRequest {
  /** The authenticated client asking: the new token's `client_id`. */
  readonly client: ClientRegistration;
  /** The verified `subject_token`. */
  readonly subject_token: ExchangedToken;
  /** Its `subject_token_type` (RFC 8693 s3). */
  readonly subject_token_type: string;
  /** The verified `actor_token`, when one was presented. */
  readonly actor_token: ExchangedToken | undefined;
  /** Its `actor_token_type`, when one was presented. */
  readonly actor_token_type: string | undefined;
  /** The type of token to be issued (`issued_token_type`). */
  readonly requested_token_type: string;
  /** The new token's subject: the subject token's. */
  readonly sub: string;
  /** The new token's scope, space-separated ("" for none). */
  readonly scope: string;
  /** The new token's audience: resource indicators. */
  readonly resource: readonly string[];
  /** The new token's `act` claim (RFC 8693 s4.1); `undefined` when the subject acts for itself. */
  readonly act: ActorClaim | undefined;
}

/**
 * The `tokenExchangePolicy` option: `true` lets the exchange happen; anything else refuses
 * it with `invalid_request` (RFC 8693 s2.2.2: a token unacceptable by policy). Throw an
 * `OAuthError` to answer otherwise (e.g. `invalid_target`). Called after every built-in
 * check (token validity, who may present it, `may_act`, scope, audience), so it can only
 * narrow what is allowed. It runs under `storeTimeoutMs`; a hook that throws anything but
 * an `OAuthError` is a `500 server_error`: the policy fails closed.
 *
 * @example The agent may act for CI jobs, toward the deployment API only
 * ```ts
 * import type { TokenExchangePolicy } from "./policy.ts";
 * const tokenExchangePolicy: TokenExchangePolicy = (r) =>
 *   r.client.client_id === "agent" &&
 *   r.subject_token.client_id === "ci" &&
 *   r.resource.every((aud) => aud === "https://deploy.example.com");
 * ```
 */
export type TokenExchangePolicy = (request: TokenExchangeRequest) => boolean | Promise<boolean>;

/** Whether the policy allows `request`: only a `true` answer does. */
export async function policyAllows(policy: TokenExchangePolicy, request: TokenExchangeRequest, timeoutMs: number): Promise<boolean> {
  return (await withDeadline("tokenExchangePolicy", timeoutMs, () => policy(request))) === true;
}
