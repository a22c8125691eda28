/**
 * The grant types the token endpoint knows, and the dispatch on `grant_type` (RFC 6749
 * s4, s5.2). To add a grant, write its file in this folder and list it here.
 *
 * @module
 */

import type { Client } from "../clients/registration.ts";
import { OAuthError } from "../errors.ts";
import type { FormParameters } from "../http/form.ts";
import type { ServerConfig } from "../config/server_config.ts";
import { clientCredentials } from "./client_credentials.ts";
import type { GrantDecision, GrantType } from "./grant.ts";
import { jwtBearer } from "./jwt_bearer.ts";
import { tokenExchange } from "./token_exchange.ts";

/** Every grant type, in the order metadata lists them. */
const GRANT_TYPES: readonly GrantType[] = [
  clientCredentials,
  tokenExchange,
  jwtBearer,
];

const BY_NAME: ReadonlyMap<string, GrantType> = new Map(GRANT_TYPES.map((g) => [g.grant_type, g]));

/**
 * Finds the grant a request names and lets it decide. `grant_type` missing:
 * `invalid_request`; unknown, or not enabled by the configuration: `unsupported_grant_type`;
 * not in the client's registered `grant_types` (RFC 7591 s2 defaults them to
 * `authorization_code`, so registration must opt in): `unauthorized_client` (RFC 6749 s5.2).
 */
export function validateGrant(form: FormParameters, client: Client, ctx: ServerConfig): GrantDecision | Promise<GrantDecision> {
  const name = form.get("grant_type");
  if (name === undefined) throw new OAuthError("invalid_request", "grant_type is required");
  const grant = BY_NAME.get(name);
  if (grant === undefined || !grant.supported(ctx)) {
    throw new OAuthError("unsupported_grant_type", `grant_type must be one of: ${grantTypesSupported(ctx).join(", ")}`);
  }
  if (!client.grant_types.has(name)) {
    throw new OAuthError("unauthorized_client", `the client is not registered for ${name}`);
  }
  return grant.decide(form, client, ctx);
}

/** The grant types the configuration enables: `grant_types_supported` in the metadata (RFC 8414 s2). */
export function grantTypesSupported(ctx: ServerConfig): string[] {
  return GRANT_TYPES.filter((g) => g.supported(ctx)).map((g) => g.grant_type);
}
