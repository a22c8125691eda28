/**
 * This server's own access tokens as subject and actor tokens of a token exchange (RFC 8693
 * s2.1): the first implementation of the subject-token seam. A token is read exactly as
 * introspection reads it (`tokens/lookup.ts`): an opaque token must be live in the token
 * store, a JWT must verify against the server's own keys with its `jti` not revoked.
 *
 * Who may present one: as `subject_token`, the client it was issued to, or a resource
 * server it was meant for (a client whose `resource_server` names one of its audiences, the
 * same rule as the default introspection policy). So a token that leaks to a third client
 * cannot be exchanged by it. As `actor_token`, only the client it was issued to: an actor
 * token says who is acting, and no client may claim to act as another.
 *
 * @module
 */

import { defaultIntrospectionPolicy } from "../introspection_policy.ts";
import type { ServerConfig } from "../config/server_config.ts";
import { lookupToken } from "../tokens/lookup.ts";
import type { SubjectTokenVerifier } from "./exchanged_token.ts";
import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE } from "./token_types.ts";

/**
 * The verifier of the server's own access tokens: type `access_token` for both formats,
 * type `jwt` for JWT access tokens only.
 */
export function ownAccessTokens(ctx: ServerConfig): SubjectTokenVerifier {
  return {
    tokenTypes: new Set([ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE]),
    async verify(token, { token_type, role, client }) {
      // A compact JWS has two dots; an opaque token (base64url) none.
      if (token_type === JWT_TOKEN_TYPE && !token.includes(".")) return undefined;
      const found = await lookupToken(token, ctx);
      if (found === undefined) return undefined;
      const record = found.record;
      const presentable = role === "actor"
        ? record.client_id === client.client_id
        : defaultIntrospectionPolicy.allowToken(client.registration, record);
      if (!presentable) return undefined;
      return {
        iss: ctx.issuer,
        sub: record.sub ?? record.client_id,
        client_id: record.client_id,
        scope: record.scope,
        ...(record.aud === undefined ? {} : { aud: record.aud }),
        exp: record.exp,
        ...(record.act === undefined ? {} : { act: record.act }),
        ...(record.may_act === undefined ? {} : { may_act: record.may_act }),
        ...(record.cnf === undefined ? {} : { cnf: record.cnf }),
        claims: { ...record, iss: ctx.issuer },
      };
    },
  };
}
