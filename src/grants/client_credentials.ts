/**
 * The client credentials grant (RFC 6749 s4.4): the client asks for a token in its own
 * name, with `grant_type=client_credentials`, an optional `scope` and optional `resource`s
 * (RFC 8707).
 *
 * @module
 */

import type { Client } from "../clients/registration.ts";
import type { FormParameters } from "../http/form.ts";
import { grantAudienceAndScope, type ResourcePolicy } from "../resource_indicators.ts";
import { grantScope } from "../scope.ts";
import type { AccessTokenGrant } from "../tokens/access_token.ts";
import type { GrantType } from "./grant.ts";

/** The `grant_type` value of this grant. */
export const CLIENT_CREDENTIALS = "client_credentials";

/**
 * Decides what a client credentials request from an authenticated client is granted (the
 * grant type and the client's registration for it are checked by the dispatch, see
 * `registry.ts`). No refresh token is ever part of this grant (RFC 6749 s4.4.3). Scope is
 * decided before resource (RFC 8707 s2.2: the audience follows the granted scope).
 */
export function clientCredentialsGrant(form: FormParameters, client: Client, resources: ResourcePolicy): AccessTokenGrant {
  const requested = grantScope(form.get("scope"), client.scope, client.default_scope);
  const { resource, scope } = grantAudienceAndScope(form.getAll("resource"), requested, client, resources);
  return { client, scope, resource };
}

/** The client credentials grant, for the dispatch; always supported. */
export const clientCredentials: GrantType = {
  grant_type: CLIENT_CREDENTIALS,
  supported: () => true,
  decide: (form, client, ctx) => ({ grant: clientCredentialsGrant(form, client, ctx.resources) }),
};
