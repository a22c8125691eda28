/**
 * The JWT bearer authorization grant (RFC 7523 s2.1; RFC 7521 s4.1):
 * `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` with an `assertion`, a JWT that
 * a trusted external issuer signed about a subject (a user, a workload), which the client
 * presents to get an access token for that subject. The client authenticates as itself, as
 * for any grant (draft-ietf-oauth-identity-assertion-authz-grant s4.4: "with its
 * credentials as registered"); public clients are refused (its s8.1: confidential clients
 * only).
 *
 * The issuers are the server's `trustedIssuers`, the same ones federated client
 * authentication trusts, with their keys, audience, algorithms, lifetime and replay rule;
 * each says how its assertions read here (`grantProfile`): an ID-JAG (`id-jag.ts`, the
 * default) or a plain RFC 7523 assertion. In order (RFC 7523 s3):
 *
 * 1. `iss` is a trusted issuer (item 1), its `grantProfile` picks the `typ` required;
 * 2. `verifyPlatformToken`: `typ`, `alg` among the issuer's, `sub` present (item 2), `aud`
 *    this server's (item 3), `exp` (item 4), `nbf` (item 5), `iat` (item 6) within the clock
 *    tolerance, the lifetime within the issuer's `maxLifetime`, the signature with the key
 *    found by `kid` and the algorithm fixed by the key (item 8, RFC 8725 s2.1);
 * 3. the profile's claims (ID-JAG: `aud` exactly this issuer, `client_id`, `jti`, `iat`);
 * 4. scope and audience: within the request, the client's registration, the assertion's
 *    `scope` and `resource`, and then the `jwtBearerPolicy`'s answer for the subject;
 * 5. last, the `jti` is used up (item 7), unless the issuer `allowReuse`s its tokens.
 *
 * Every refusal of the assertion is `invalid_grant` (s3.1), an issuer whose keys cannot be
 * fetched included: never a 5xx for what a caller sends. Each outcome emits a
 * `jwt_bearer_assertion` event with the issuer and the subject, never the assertion.
 *
 * @module
 */

import type { Client } from "../clients/registration.ts";
import { OAuthError } from "../errors.ts";
import { emit } from "../events.ts";
import { spendPlatformToken } from "../federation/platform_token_replay.ts";
import type { GrantProfile, TrustedIssuerSet } from "../federation/trusted_issuer.ts";
import { presentedPlatformToken, type VerifiedPlatformToken, verifyPlatformToken } from "../federation/verify_platform_token.ts";
import type { FormParameters } from "../http/form.ts";
import type { ServerConfig } from "../config/server_config.ts";
import { grantAudienceAndScope } from "../resource_indicators.ts";
import { boundedScope } from "../token_exchange/exchange_scope.ts";
import type { GrantDecision, GrantType } from "./grant.ts";
import { checkIdJag, ID_JAG_TYPE, type IdJagBounds } from "./id_jag.ts";
import { askJwtBearerPolicy } from "./jwt_bearer_policy.ts";

/** The `grant_type` of the JWT bearer grant (RFC 7523 s2.1). */
export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** What the event says about the assertion: never the assertion itself. */
interface Seen {
  issuer?: string;
  subject?: string;
  profile?: GrantProfile;
}

/** The `typ` values each profile accepts, and whether `typ` is required. */
const TYPES: Readonly<Record<GrantProfile, { types: readonly string[]; typeRequired: boolean }>> = {
  // draft-ietf-oauth-identity-assertion-authz-grant s3.1: the typ MUST be oauth-id-jag+jwt.
  "id-jag": { types: [ID_JAG_TYPE], typeRequired: true },
  // RFC 7523 s3 sets no typ; RFC 7519 s5.1 suggests JWT.
  "jwt-bearer": { types: ["jwt"], typeRequired: false },
};

/** The assertion's issuer, its profile and its signature, claims and times (RFC 7523 s3 items 1 to 6, 8). */
async function verifyAssertion(assertion: string, issuers: TrustedIssuerSet, ctx: ServerConfig, seen: Seen): Promise<VerifiedPlatformToken> {
  const presented = presentedPlatformToken(assertion, issuers, "jwt");
  const profile = presented?.issuer.grantProfile ?? "id-jag";
  if (presented !== undefined) {
    seen.issuer = presented.issuer.issuer;
    seen.profile = profile;
    if (presented.subject !== undefined) seen.subject = presented.subject;
  }
  const token = await verifyPlatformToken(assertion, issuers, {
    nowMs: ctx.clock(),
    clockTolerance: ctx.clientAssertion.clockTolerance,
    profile: "jwt",
    ...TYPES[profile],
  });
  // RFC 7523 s3.1: invalid_grant, whatever the reason, the issuer's unreachable keys included.
  if (!token.ok) throw new OAuthError("invalid_grant", `the assertion is not acceptable: ${token.reason}`, { cause: token.cause });
  return token;
}

/** What the profile's claims bound; for a plain assertion, only a `client_id` claim is checked. */
function profileBounds(token: VerifiedPlatformToken, client: Client, ctx: ServerConfig): IdJagBounds {
  if (token.issuer.grantProfile === "id-jag") return checkIdJag(token.claims, client.client_id, ctx.issuer);
  const named = token.claims.client_id;
  if (named !== undefined && named !== client.client_id) {
    throw new OAuthError("invalid_grant", "the assertion's client_id is not the authenticated client");
  }
  return { scope: undefined, resource: undefined };
}

async function grant(form: FormParameters, client: Client, ctx: ServerConfig, seen: Seen): Promise<GrantDecision> {
  if (client.token_endpoint_auth_method === "none") {
    throw new OAuthError("unauthorized_client", "the JWT bearer grant is for confidential clients");
  }
  // RFC 7521 s4.1: assertion is REQUIRED (one value: the form refuses a repeated parameter).
  const assertion = form.get("assertion");
  if (assertion === undefined) throw new OAuthError("invalid_request", "assertion is required (RFC 7521 s4.1)");
  const token = await verifyAssertion(assertion, ctx.federation!.issuers, ctx, seen);
  seen.subject = token.subject;
  const bounds = profileBounds(token, client, ctx);

  // Narrower or equal: the request, the registration, the assertion; then the policy.
  const scope = boundedScope(form.get("scope"), bounds.scope, client, "the assertion's");
  const asked = form.getAll("resource");
  if (bounds.resource !== undefined && !asked.every((r) => bounds.resource!.includes(r))) {
    throw new OAuthError("invalid_target", "the resource is beyond the assertion's resource");
  }
  const candidate = grantAudienceAndScope(asked.length > 0 ? asked : bounds.resource ?? [], scope, client, ctx.resources);
  const outcome = await askJwtBearerPolicy(ctx.jwtBearerPolicy!, {
    client: client.registration,
    issuer: token.issuer.issuer,
    subject: token.subject,
    profile: token.issuer.grantProfile,
    claims: token.claims,
    scope: candidate.scope,
    resource: candidate.resource,
  }, ctx.storeTimeoutMs);

  // RFC 7523 s3 item 7: used once, after every other check (a refused request does not burn it).
  await spendPlatformToken(token, ctx.replayStore, ctx.clientAssertion.clockTolerance, "invalid_grant");
  emit(ctx, {
    type: "jwt_bearer_assertion",
    endpoint: "token",
    client_id: client.client_id,
    result: "accepted",
    profile: token.issuer.grantProfile,
    issuer: token.issuer.issuer,
    subject: token.subject,
  });
  return {
    grant: {
      client,
      scope: outcome.scope,
      resource: [...outcome.resource],
      sub: outcome.sub,
      // Never longer than the assertion it rests on.
      notAfter: token.exp,
    },
  };
}

async function decide(form: FormParameters, client: Client, ctx: ServerConfig): Promise<GrantDecision> {
  const seen: Seen = {};
  try {
    return await grant(form, client, ctx, seen);
  } catch (e) {
    if (e instanceof OAuthError) {
      emit(ctx, {
        type: "jwt_bearer_assertion",
        endpoint: "token",
        client_id: client.client_id,
        result: "refused",
        ...seen,
        error: e.error,
        reason: e.error_description ?? e.error,
      });
    }
    throw e;
  }
}

/** The JWT bearer grant, for the dispatch: supported once `jwtBearerPolicy` is set (with `trustedIssuers`). */
export const jwtBearer: GrantType = {
  grant_type: JWT_BEARER_GRANT,
  supported: (ctx) => ctx.jwtBearerPolicy !== undefined && ctx.federation !== undefined,
  decide,
};
