/**
 * The client credentials grant (RFC 6749 s4.4): the client asks for a token in its own
 * name, with `grant_type=client_credentials`, an optional `scope` and optional `resource`s
 * (RFC 8707).
 *
 * @module
 */

import type { Client } from "../clients/registration.ts";
import { OAuthError } from "../errors.ts";
import type { FormParameters } from "../http/form.ts";
import { grantAudienceAndScope, type ResourcePolicy } from "../resource_indicators.ts";
import { grantScope } from "../scope.ts";
import type { AccessTokenGrant } from "../tokens/access_token.ts";

/** The `grant_type` value of this grant. */
export const CLIENT_CREDENTIALS = "client_credentials";

/**
 * Validates a client credentials request from an authenticated client and decides what to
 * grant. No refresh token is ever part of this grant (RFC 6749 s4.4.3). Scope is decided
 * before resource (SPEC TE-6).
 */
export function clientCredentialsGrant(form: FormParameters, client: Client, resources: ResourcePolicy): AccessTokenGrant {
  const grantType = form.get("grant_type");
  if (grantType === undefined) throw new OAuthError("invalid_request", "grant_type is required");
  if (grantType !== CLIENT_CREDENTIALS) {
    throw new OAuthError("unsupported_grant_type", "only client_credentials is supported");
  }
  // RFC 7591 s2: grant_types defaults to authorization_code, so registration must opt in.
  if (!client.grant_types.has(CLIENT_CREDENTIALS)) {
    throw new OAuthError("unauthorized_client", "the client is not registered for client_credentials");
  }
  const requested = grantScope(form.get("scope"), client.scope, client.default_scope);
  const { resource, scope } = grantAudienceAndScope(form.getAll("resource"), requested, client, resources);
  return { client, scope, resource };
}
