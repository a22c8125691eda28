/**
 * The token endpoint (RFC 6749 s3.2). One request reads top to bottom: check the transport
 * -> parse the form -> authenticate the client -> validate the grant (dispatched on
 * `grant_type`, see `grants/registry.ts`: scope, resource, the grant's own parameters) ->
 * the certificate binding (RFC 8705 s3) -> check the DPoP proof -> issue -> respond (the RFCs
 * leave the order open; tests/RFC_CHECKLIST.md TE-6 and App. B-9 pin this one). Any step
 * may throw an `OAuthError`; `errorResponse` turns it, or any other fault, into the JSON
 * answer.
 *
 * @module
 */

import type { AuthenticatedClient } from "./client_auth/authenticate.ts";
import type { Client } from "./clients/registration.ts";
import { ConfigurationError, OAuthError } from "./errors.ts";
import { emit, type EventInput, type TokenIssuedEvent } from "./events.ts";
import { dpopBinding } from "./dpop/token_request.ts";
import { certificateBinding } from "./mtls/token_binding.ts";
import type { GrantDecision } from "./grants/grant.ts";
import { validateGrant } from "./grants/registry.ts";
import { endpoint } from "./http/endpoint.ts";
import type { FormParameters } from "./http/form.ts";
import { errorResponse, jsonResponse } from "./http/response.ts";
import { resolveServerConfig, type ServerConfig } from "./config/server_config.ts";
import type { TokenEndpointOptions } from "./options.ts";
import { type AccessTokenGrant, issueAccessToken, type IssuedAccessToken } from "./tokens/access_token.ts";

/**
 * RFC 8705 s3: a grant resting on a certificate-bound token needs the request to come with
 * that certificate; the new token is bound to it as well. Otherwise the certificate binding
 * of the client, if any.
 */
async function certificateOf(request: Request, client: Client, decision: GrantDecision, ctx: ServerConfig): Promise<string | undefined> {
  const required = decision.proofCertificate;
  if (required === undefined) return await certificateBinding(request, client, ctx);
  const presented = ctx.clientCertificates === undefined ? undefined : await ctx.clientCertificates.of(request);
  if (presented?.kind !== "certificate" || presented.certificate.thumbprint !== required) {
    throw new OAuthError("invalid_request", "the token this grant rests on is bound to a TLS client certificate; send the request with it (RFC 8705 s3)");
  }
  return required;
}

/**
 * RFC 9449 s6: a grant that rests on a DPoP-bound token needs a proof by that token's key,
 * or a bound token could be traded for an unbound one (or one bound to another key).
 */
function checkProofKey(decision: GrantDecision, jkt: string | undefined): void {
  if (decision.proofKey !== undefined && decision.proofKey !== jkt) {
    throw new OAuthError("invalid_request", "the token this grant rests on is DPoP-bound; send a DPoP proof made with its key (RFC 9449 s6)");
  }
}

/**
 * RFC 6749 s5.1 (and RFC 8693 s2.2.1's `issued_token_type`); scope is always sent when one
 * was granted (s3.3 requires it whenever it differs from the request, which includes a
 * default applied to a request without one).
 */
function tokenResponse(token: IssuedAccessToken, decision: GrantDecision): Record<string, unknown> {
  // Built member by member, in this order (the answer's bytes: tests/recorded_requests):
  // no spread of a temporary object per optional member.
  const body: Record<string, unknown> = { access_token: token.access_token };
  const issued = decision.issued_token_type;
  if (issued !== undefined) body.issued_token_type = issued;
  body.token_type = token.token_type;
  body.expires_in = token.expires_in;
  if (token.scope !== "") body.scope = token.scope;
  return body;
}

/**
 * The `token_issued` event (built only when an event hook is set), member by member in this
 * order (tests/events.test.ts pins it): no spread of a temporary object per optional member.
 */
function tokenIssued(form: FormParameters, client: Client, grant: AccessTokenGrant, token: IssuedAccessToken): EventInput {
  const event: Partial<Omit<TokenIssuedEvent, "time">> = {
    type: "token_issued",
    endpoint: "token",
    grant_type: form.get("grant_type")!,
    client_id: client.client_id,
  };
  if (grant.sub !== undefined) event.sub = grant.sub;
  if (grant.act !== undefined) event.act = grant.act;
  event.scope = token.scope;
  event.expires_in = token.expires_in;
  event.token_type = token.token_type;
  return event as Omit<TokenIssuedEvent, "time">;
}

/**
 * The token endpoint's own steps, once the skeleton (`http/endpoint.ts`) has checked the
 * method and transport, read the form and authenticated the client. A step that does not
 * apply to this configuration (no mutual TLS, no DPoP, no event hook) is skipped without
 * a call or an await: each await costs a turn of the microtask queue on every request.
 */
async function tokenSteps(request: Request, form: FormParameters, { client }: AuthenticatedClient, ctx: ServerConfig): Promise<Response> {
  const decided = validateGrant(form, client, ctx);
  const decision = decided instanceof Promise ? await decided : decided;
  // RFC 8705 s3: nothing to bind, or to require, without mutual TLS and a grant resting on a
  // certificate-bound token.
  const x5t = decision.proofCertificate === undefined && ctx.clientCertificates === undefined
    ? undefined
    : await certificateOf(request, client, decision, ctx);
  // RFC 9449 s5: after every other check, so a proof is spent only on a request that
  // would otherwise be granted. Without the dpop option no proof is read (dpopBinding).
  const jkt = ctx.dpop === undefined ? undefined : await dpopBinding(request, client, ctx);
  checkProofKey(decision, jkt);
  const grant = decision.grant;
  const token = await issueAccessToken(jkt === undefined && x5t === undefined ? grant : { ...grant, jkt, x5t }, ctx);
  const body = tokenResponse(token, decision);
  if (ctx.onEvent !== undefined) emit(ctx, tokenIssued(form, client, grant, token));
  // RFC 9449 s8.2: a fresh nonce may come with a success; the answer is no-store already.
  const nonces = jkt === undefined ? undefined : ctx.dpop?.nonces;
  return jsonResponse(200, body, nonces === undefined ? undefined : { "dpop-nonce": await nonces.current() });
}

/** The token endpoint for already-resolved options; see {@link handleTokenRequest}. Never throws. */
export const tokenEndpoint: (request: Request, ctx: ServerConfig) => Promise<Response> = endpoint({
  name: "token",
  steps: tokenSteps,
  refused: (error, status, client_id) => ({
    type: "token_refused",
    endpoint: "token",
    ...(client_id === undefined ? {} : { client_id }),
    error,
    status,
  }),
});

/**
 * Answers an OAuth 2.0 token request (RFC 6749 s3.2): the client credentials grant (s4.4),
 * token exchange (RFC 8693) when the `tokenExchangePolicy` option is set, and the JWT bearer
 * grant (RFC 7523 s2.1, ID-JAGs included) when `jwtBearerPolicy` is set. Never throws: every failure is a JSON error response with the status and headers
 * the RFCs ask for; a fault of the server (a store that failed, invalid options) is a
 * 500 `server_error`.
 *
 * It is the token endpoint of `createAuthorizationServer(options)`: the options are resolved
 * by the same rules, and given the same object the two share one configuration (its default
 * in-memory stores included). Pass the same `options` object on every call: it is validated
 * once and cached.
 *
 * @example Deno
 * ```ts
 * import { handleTokenRequest, type TokenEndpointOptions } from "../mod.ts";
 *
 * const options: TokenEndpointOptions = {
 *   issuer: "https://auth.example.com",
 *   clients: [{
 *     client_id: "billing",
 *     client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY",
 *     grant_types: ["client_credentials"],
 *     scope: "invoices:read",
 *   }],
 * };
 * // Deno.serve((request) => handleTokenRequest(request, options));
 * ```
 */
export function handleTokenRequest(request: Request, options: TokenEndpointOptions): Promise<Response> {
  let ctx: ServerConfig;
  try {
    ctx = resolveServerConfig(options);
  } catch (e) {
    reportConfigurationError(options, e);
    return Promise.resolve(errorResponse(e));
  }
  return tokenEndpoint(request, ctx);
}

/** Options objects whose configuration error was logged: one line per object, not per request. */
const logged = new WeakSet<object>();

/**
 * A configuration error found while answering a request is never silent (issue 18): the
 * answer stays a bare 500 `server_error` (the caller learns nothing of the configuration),
 * while the `onEvent` hook gets a `configuration_error` event on every such request and
 * `console.error` one line per options object, both naming the option.
 */
function reportConfigurationError(options: TokenEndpointOptions, error: unknown): void {
  if (!(error instanceof ConfigurationError) || typeof options !== "object" || options === null) return;
  const o = options as { onEvent?: unknown; clock?: unknown };
  const clock = typeof o.clock === "function" ? o.clock as () => number : Date.now;
  if (typeof o.onEvent === "function") {
    emit({ onEvent: o.onEvent as TokenEndpointOptions["onEvent"], clock }, {
      type: "configuration_error",
      endpoint: "token",
      ...(error.path === undefined ? {} : { option: error.path }),
      message: error.message,
      status: 500,
    });
  }
  if (!logged.has(options)) {
    logged.add(options);
    console.error(
      `m2m-oauth: invalid token endpoint options${error.path === undefined ? "" : ` (option ${error.path})`}: ${error.message}; every token request is answered 500 server_error`,
    );
  }
}

/**
 * Validates token endpoint options up front, as `handleTokenRequest` would on its first
 * request, and prepares them (the result is cached by the options object's identity).
 * Throws a {@link ConfigurationError} whose `path` names the option at fault.
 *
 * @example Fail at start-up, not on the first request
 * ```ts
 * import { validateTokenEndpointOptions } from "../mod.ts";
 * try {
 *   validateTokenEndpointOptions({
 *     issuer: "https://auth.example.com",
 *     clients: [{ client_id: "billing", client_secret_hash: "$sha256$...", grant_types: ["client_credentials"] }],
 *   });
 * } catch (e) {
 *   // ConfigurationError, e.path === "clients[0].client_secret_hash"
 * }
 * ```
 */
export function validateTokenEndpointOptions(options: TokenEndpointOptions): void {
  resolveServerConfig(options);
}

/**
 * The token endpoint as a fetch handler, with its options validated now: a bad option
 * throws a {@link ConfigurationError} here, naming it, rather than answering every request
 * with a 500.
 *
 * @example Deno
 * ```ts
 * import { createTokenEndpoint } from "../mod.ts";
 * const token = createTokenEndpoint({
 *   issuer: "https://auth.example.com",
 *   clients: [{
 *     client_id: "billing",
 *     client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY",
 *     grant_types: ["client_credentials"],
 *   }],
 * });
 * // Deno.serve(token);
 * ```
 */
export function createTokenEndpoint(options: TokenEndpointOptions): (request: Request) => Promise<Response> {
  const ctx = resolveServerConfig(options);
  return (request) => tokenEndpoint(request, ctx);
}
