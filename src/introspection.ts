/**
 * The introspection endpoint (RFC 7662): an authenticated caller asks whether a token is
 * active and what it carries. Check the transport -> parse the form -> authenticate the
 * caller -> may it introspect at all? -> look the token up -> may it see this token? ->
 * respond.
 *
 * @module
 */

import type { AuthenticatedClient } from "./client_auth/authenticate.ts";
import type { Client } from "./clients/registration.ts";
import { OAuthError } from "./errors.ts";
import { emit, type IntrospectionEvent } from "./events.ts";
import { endpoint } from "./http/endpoint.ts";
import type { FormParameters } from "./http/form.ts";
import { jsonResponse } from "./http/response.ts";
import type { ServerConfig } from "./config/server_config.ts";
import type { TokenConfirmation, TokenRecord } from "./stores/token_store.ts";
import type { ActorClaim, MayActClaim } from "./tokens/actor.ts";
import { lookupToken } from "./tokens/lookup.ts";
import { acceptsIntrospectionJwt, INTROSPECTION_JWT_TYPE, introspectionSigner, signIntrospection } from "./introspection_jwt.ts";

/**
 * The answer for an active token (RFC 7662 s2.2). Times are seconds since the epoch.
 *
 * @example
 * ```ts
 * import type { ActiveTokenIntrospection } from "./introspection.ts";
 * const answer: ActiveTokenIntrospection = {
 *   active: true, client_id: "billing", scope: "invoices:read", token_type: "Bearer",
 *   exp: 1767225600, iat: 1767225000, iss: "https://auth.example.com", sub: "billing",
 * };
 * ```
 */
export interface ActiveTokenIntrospection {
  active: true;
  client_id: string;
  /** Space-separated; absent when the token has no scope. */
  scope?: string;
  /**
   * `Bearer`, or `DPoP` for a token bound to a DPoP key (RFC 9449 s6.2). A token bound to a
   * TLS client certificate only is a Bearer token used over mutual TLS (RFC 8705 s3).
   */
  token_type: "Bearer" | "DPoP";
  exp: number;
  iat: number;
  iss: string;
  /** For the client credentials grant, the client itself; for token exchange, the subject token's subject. */
  sub: string;
  aud?: string | string[];
  jti?: string;
  /** What the token is bound to: a DPoP key (`jkt`, RFC 9449 s6.2) and/or a TLS client certificate (`x5t#S256`, RFC 8705 s3.2). */
  cnf?: TokenConfirmation;
  /** The actor of a delegated token, earlier actors nested (RFC 8693 s4.1; it registers `act` for introspection too). */
  act?: ActorClaim;
  /** Who may act for the subject (RFC 8693 s4.4), when the token says. */
  may_act?: MayActClaim;
}

/** RFC 7662 s2.2: an inactive token, whatever the reason, is this and nothing more. */
const INACTIVE = { active: false } as const;

function describe(record: TokenRecord, issuer: string): ActiveTokenIntrospection {
  const body: ActiveTokenIntrospection = {
    active: true,
    client_id: record.client_id,
    scope: record.scope,
    token_type: record.cnf?.jkt === undefined ? "Bearer" : "DPoP",
    exp: record.exp,
    iat: record.iat,
    iss: issuer,
    sub: record.sub ?? record.client_id,
  };
  if (record.scope === "") delete body.scope;
  if (record.aud !== undefined) body.aud = typeof record.aud === "string" ? record.aud : [...record.aud];
  if (record.jti !== undefined) body.jti = record.jti;
  if (record.cnf !== undefined) {
    // RFC 9449 s6.2 and RFC 8705 s3.2: the confirmation, member by member.
    const cnf: TokenConfirmation = {};
    if (typeof record.cnf.jkt === "string") cnf.jkt = record.cnf.jkt;
    if (typeof record.cnf["x5t#S256"] === "string") cnf["x5t#S256"] = record.cnf["x5t#S256"];
    if (cnf.jkt !== undefined || cnf["x5t#S256"] !== undefined) body.cnf = cnf;
  }
  if (record.act !== undefined) body.act = record.act;
  if (record.may_act !== undefined) body.may_act = record.may_act;
  return body;
}

/**
 * The answer as the caller asked for it: RFC 7662 JSON, or, when it accepts
 * `application/token-introspection+jwt` and the server has an asymmetric signing key, that
 * JSON signed as a JWT (RFC 9701 s5). Errors stay JSON either way.
 */
async function answer(request: Request, body: object, caller: Client, config: ServerConfig): Promise<Response> {
  const signer = acceptsIntrospectionJwt(request) ? introspectionSigner(config.signingKeys) : undefined;
  if (signer === undefined) return jsonResponse(200, body);
  const jwt = await signIntrospection(body, caller.client_id, config.issuer, Math.floor(config.clock() / 1000), signer);
  // RFC 7662 s4 and RFC 9701 s5: an introspection answer is never cached.
  return new Response(jwt, {
    status: 200,
    headers: { "content-type": INTROSPECTION_JWT_TYPE, "cache-control": "no-store", pragma: "no-cache" },
  });
}

/**
 * The introspection endpoint's own steps, once the skeleton (`http/endpoint.ts`) has
 * checked the method and transport, read the form and authenticated the caller. RFC 7662
 * s2.3: a caller with no or invalid credentials has had its 401 `invalid_client` with a
 * challenge, even when it sent them in the body (decided by `authenticateClient`).
 */
async function introspectionSteps(request: Request, form: FormParameters, { client: caller }: AuthenticatedClient, config: ServerConfig): Promise<Response> {
  // RFC 7662 s4: the server SHOULD require callers to be allowed to introspect (App. B-3).
  if (!(await config.introspectionPolicy.allowCaller(caller.registration))) {
    throw new OAuthError("unauthorized_client", "this client may not use the introspection endpoint", {
      status: 403,
    });
  }
  // RFC 7662 s2.1: token is REQUIRED. token_type_hint is ignored: every kind is searched.
  const token = form.get("token");
  if (token === undefined) throw new OAuthError("invalid_request", "token is required");
  const found = await lookupToken(token, config);
  const base = { type: "introspection", endpoint: "introspection", client_id: caller.client_id, status: 200 } as const;
  if (found === undefined) {
    emit(config, { ...base, result: "inactive", reason: "unknown" });
    return answer(request, INACTIVE, caller, config);
  }
  // RFC 7662 s2.2, s4: a token this caller may not see is answered as if unknown.
  if (!(await config.introspectionPolicy.allowToken(caller.registration, found.record))) {
    emit(config, { ...base, result: "inactive", reason: "not_visible" });
    return answer(request, INACTIVE, caller, config);
  }
  emit(config, { ...base, result: "active", token_client_id: found.record.client_id });
  return answer(request, describe(found.record, config.issuer), caller, config);
}

/** The introspection endpoint for a resolved configuration. Never throws. */
export const introspectionEndpoint: (request: Request, config: ServerConfig) => Promise<Response> = endpoint({
  name: "introspection",
  steps: introspectionSteps,
  refused: (error, status, client_id) => {
    const event: Omit<IntrospectionEvent, "time"> = { type: "introspection", endpoint: "introspection", result: "refused", error, status };
    if (client_id !== undefined) event.client_id = client_id;
    return event;
  },
});
