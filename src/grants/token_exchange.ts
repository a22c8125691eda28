/**
 * Token exchange (RFC 8693): a client trades a token it was given, the subject token, for
 * a new access token that is narrower or equal (scope within the subject token's and its
 * own registration's; audience among the resources it may ask for; a lifetime that ends
 * no later than the subject token's) and that records who acts for whom (`act`, s4.1).
 *
 * The request (s2.1): `subject_token` and `subject_token_type` (required); `actor_token`
 * with `actor_token_type` (both or neither); `requested_token_type`; `scope`; `resource`
 * and `audience`, each repeatable. Audiences at this server are resource indicators, so an
 * `audience` names one exactly as a `resource` does, and a logical name that is not one of
 * them is `invalid_target`.
 *
 * @module
 */

import type { Client } from "../clients/registration.ts";
import { OAuthError } from "../errors.ts";
import type { FormParameters } from "../http/form.ts";
import type { ServerConfig } from "../config/server_config.ts";
import { grantAudienceAndScope, isResourceIndicator } from "../resource_indicators.ts";
import { actorIdentity, checkMayAct, delegatedAct } from "../token_exchange/delegation.ts";
import { exchangeScope } from "../token_exchange/exchange_scope.ts";
import { type ExchangedToken, verifyExchangedToken } from "../token_exchange/exchanged_token.ts";
import { spendExternalTokens } from "../token_exchange/external_tokens.ts";
import { policyAllows } from "../token_exchange/policy.ts";
import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE, TOKEN_EXCHANGE } from "../token_exchange/token_types.ts";
import type { GrantDecision, GrantType } from "./grant.ts";

function required(form: FormParameters, name: string): string {
  const value = form.get(name);
  if (value === undefined) throw new OAuthError("invalid_request", `${name} is required (RFC 8693 s2.1)`);
  return value;
}

/**
 * `issued_token_type` (s2.2.1): an access token by default; `jwt` when asked for and the
 * client's tokens are JWTs. The format is the registration's, never the caller's choice,
 * so any other request is refused.
 */
function issuedTokenType(form: FormParameters, client: Client, ctx: ServerConfig): string {
  const requested = form.get("requested_token_type") ?? ACCESS_TOKEN_TYPE;
  if (requested === ACCESS_TOKEN_TYPE) return requested;
  if (requested === JWT_TOKEN_TYPE && (client.access_token_format ?? ctx.accessTokenFormat) === "jwt") return requested;
  throw new OAuthError("invalid_request", `requested_token_type ${JSON.stringify(requested)} cannot be issued to this client`);
}

/** The audiences asked for: `resource`s and `audience`s, which name the same resource indicators. */
function targets(form: FormParameters): string[] {
  const audiences = form.getAll("audience");
  for (const a of audiences) {
    if (!isResourceIndicator(a)) {
      throw new OAuthError("invalid_target", "audience must name one of this server's resources by its resource indicator (RFC 8707)");
    }
  }
  return [...form.getAll("resource"), ...audiences];
}

/** The key a DPoP proof must show: that of a bound subject or actor token (RFC 9449 s6); two keys cannot both be shown. */
function proofKey(subject: ExchangedToken, actor: ExchangedToken | undefined): string | undefined {
  const keys = new Set([subject.cnf?.jkt, actor?.cnf?.jkt].filter((k) => k !== undefined));
  if (keys.size > 1) throw new OAuthError("invalid_request", "the subject and actor tokens are bound to different keys");
  return keys.values().next().value;
}

/** The certificate the request must come with: that of a certificate-bound subject or actor token (RFC 8705 s3). */
function proofCertificate(subject: ExchangedToken, actor: ExchangedToken | undefined): string | undefined {
  const thumbprints = new Set([subject.cnf?.["x5t#S256"], actor?.cnf?.["x5t#S256"]].filter((k) => k !== undefined));
  if (thumbprints.size > 1) throw new OAuthError("invalid_request", "the subject and actor tokens are bound to different certificates");
  return thumbprints.values().next().value;
}

async function decide(form: FormParameters, client: Client, ctx: ServerConfig): Promise<GrantDecision> {
  // A public client proves no identity, so it could not be told from anyone holding the token.
  if (client.token_endpoint_auth_method === "none") {
    throw new OAuthError("unauthorized_client", "token exchange is for confidential clients");
  }
  // RFC 8693 s2.1: the request's parameters, checked before any token is looked at.
  const subjectToken = required(form, "subject_token");
  const subjectType = required(form, "subject_token_type");
  const actorToken = form.get("actor_token");
  const actorType = form.get("actor_token_type");
  if (actorToken === undefined && actorType !== undefined) {
    throw new OAuthError("invalid_request", "actor_token_type must not be sent without actor_token (RFC 8693 s2.1)");
  }
  if (actorToken !== undefined && actorType === undefined) {
    throw new OAuthError("invalid_request", "actor_token_type is required with actor_token (RFC 8693 s2.1)");
  }
  const issued_token_type = issuedTokenType(form, client, ctx);
  const requested = targets(form);

  // RFC 8693 s2.1.1 (and s2.2.2): each token validated for its type; who acts, and may it.
  const subject = await verifyExchangedToken(subjectToken, { token_type: subjectType, role: "subject", client }, ctx);
  const actor = actorToken === undefined
    ? undefined
    : await verifyExchangedToken(actorToken, { token_type: actorType!, role: "actor", client }, ctx);
  // An actor token says who acts; one that is itself delegated would name its subject as the
  // actor while another party acts, so it is refused.
  if (actor?.act !== undefined) throw new OAuthError("invalid_request", "the actor_token is itself a delegated token");
  const identity = actorIdentity(client, actor, ctx.issuer);
  checkMayAct(subject, identity);
  const act = delegatedAct(subject, identity, ctx.issuer);

  // Narrower or equal: scope, then audience (which may narrow the scope again).
  const { resource, scope } = grantAudienceAndScope(requested, exchangeScope(form.get("scope"), subject, client), client, ctx.resources);
  const key = proofKey(subject, actor);
  const certificate = proofCertificate(subject, actor);

  const allowed = await policyAllows(ctx.tokenExchangePolicy!, {
    client: client.registration,
    subject_token: subject,
    subject_token_type: subjectType,
    actor_token: actor,
    actor_token_type: actorType,
    requested_token_type: issued_token_type,
    sub: subject.sub,
    scope,
    resource,
    act,
  }, ctx.storeTimeoutMs);
  if (!allowed) throw new OAuthError("invalid_request", "the token exchange policy does not allow this exchange");
  // Another issuer's token is used once (unless its issuer allows reuse), and only now,
  // so that a refused exchange does not burn it.
  await spendExternalTokens([subject, actor], ctx);

  return {
    grant: {
      client,
      scope,
      resource,
      sub: subject.sub,
      ...(act === undefined ? {} : { act }),
      // Never longer than the tokens it rests on.
      notAfter: Math.min(subject.exp, actor?.exp ?? Infinity),
    },
    issued_token_type,
    ...(key === undefined ? {} : { proofKey: key }),
    ...(certificate === undefined ? {} : { proofCertificate: certificate }),
  };
}

/** Token exchange, for the dispatch: supported once `tokenExchangePolicy` is set. */
export const tokenExchange: GrantType = {
  grant_type: TOKEN_EXCHANGE,
  supported: (ctx) => ctx.tokenExchangePolicy !== undefined,
  decide,
};
