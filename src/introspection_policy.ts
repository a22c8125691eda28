/**
 * Who may introspect what (RFC 7662 s2.1, s2.2, s4): a policy in two steps, with a
 * safe default.
 *
 * 1. `allowCaller`: may this authenticated client use the introspection endpoint at all?
 *    No -> 403 `unauthorized_client`, before the token is even looked up.
 * 2. `allowToken`: may it see this live token? No -> `{"active":false}`, exactly the
 *    answer for an unknown token, so the caller learns nothing (RFC 7662 s2.2).
 *
 * @module
 */

import type { ClientRegistration } from "./clients/registration.ts";
import type { TokenRecord } from "./stores/token_store.ts";

/**
 * The `introspectionPolicy` option. Either function may be left out to keep the default.
 * A function that throws (or rejects) fails the request with 500 `server_error`: the
 * policy fails closed.
 *
 * @example Let one trusted client introspect every token, others as by default
 * ```ts
 * import { defaultIntrospectionPolicy, type IntrospectionPolicy } from "./introspection_policy.ts";
 * const introspectionPolicy: IntrospectionPolicy = {
 *   allowToken: (caller, token) =>
 *     caller.client_id === "gateway" || defaultIntrospectionPolicy.allowToken(caller, token),
 * };
 * ```
 *
 * @example Only resource servers may call the endpoint (others get 403)
 * ```ts
 * import type { IntrospectionPolicy } from "./introspection_policy.ts";
 * const introspectionPolicy: IntrospectionPolicy = {
 *   allowCaller: (caller) => caller.resource_server !== undefined,
 * };
 * ```
 */
export interface IntrospectionPolicy {
  /** Whether `caller` may use the introspection endpoint at all; `false` answers 403. */
  allowCaller?: (caller: ClientRegistration) => boolean | Promise<boolean>;
  /**
   * Whether `caller` may see the live token described by `token`; `false` answers
   * `{"active":false}`.
   */
  allowToken?: (caller: ClientRegistration, token: TokenRecord) => boolean | Promise<boolean>;
}

function audiences(value: string | readonly string[] | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === "string" ? [value] : value;
}

/**
 * The default policy:
 * - every authenticated client may call the endpoint;
 * - a client sees the tokens issued to it;
 * - a client registered with `resource_server` also sees the tokens whose `aud` names one
 *   of its identifiers (RFC 7662 s4: a token meant for another resource server is
 *   `{"active":false}`). A token without `aud` is shown to its own client only.
 *
 * @example
 * ```ts
 * import { defaultIntrospectionPolicy } from "./introspection_policy.ts";
 * const token = { client_id: "billing", scope: "", iat: 0, exp: 2 ** 31, aud: "https://api.example.com" };
 * defaultIntrospectionPolicy.allowToken({ client_id: "billing" }, token); // true: its own
 * defaultIntrospectionPolicy.allowToken({ client_id: "api", resource_server: "https://api.example.com" }, token); // true
 * defaultIntrospectionPolicy.allowToken({ client_id: "other" }, token); // false
 * ```
 */
export const defaultIntrospectionPolicy: Required<IntrospectionPolicy> & {
  allowCaller(caller: ClientRegistration): boolean;
  allowToken(caller: ClientRegistration, token: TokenRecord): boolean;
} = {
  allowCaller(): boolean {
    return true;
  },
  allowToken(caller: ClientRegistration, token: TokenRecord): boolean {
    if (token.client_id === caller.client_id) return true;
    const mine = audiences(caller.resource_server);
    if (mine.length === 0) return false;
    return audiences(token.aud).some((aud) => mine.includes(aud));
  },
};
