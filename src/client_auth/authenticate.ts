/**
 * Client authentication at the token endpoint (RFC 6749 s2.3): which method the request
 * uses, the one-method-per-request rule, and the check of the credentials against the
 * registration.
 *
 * Every failure to authenticate is the same `invalid_client` answer (same status, body and
 * headers) whether the client is unknown, the secret wrong or expired, or the method not
 * the one registered; and the secret is hashed and compared in every one of those cases, so
 * timing does not tell them apart either.
 *
 * @module
 */

import type { Client, TokenEndpointAuthMethod } from "../clients/registration.ts";
import { type SecretHash, verifySecret } from "../clients/secrets.ts";
import type { CryptoProvider } from "../crypto/provider.ts";
import { OAuthError } from "../errors.ts";
import { emit, type EndpointName, type EventContext } from "../events.ts";
import { parseAuthorizationHeader } from "../http/authorization.ts";
import type { FormParameters } from "../http/form.ts";
import { decodeBasicCredentials } from "./basic.ts";
import type { BruteForceGuard } from "./brute_force.ts";

/** What client authentication needs from the server's configuration. */
export interface ClientAuthContext extends EventContext {
  readonly crypto: CryptoProvider;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** Looks up and prepares a client; `undefined` when unknown. */
  readonly findClient: (client_id: string) => Promise<Client | undefined>;
  /** The `WWW-Authenticate` value for a failed Basic attempt, e.g. `Basic realm="..."`. */
  readonly basicChallenge: string;
  /** Hashes no secret matches, checked when the client is unknown so the work is the same. */
  readonly unknownClientSecrets: readonly SecretHash[];
  /** Counts failed authentications and refuses attempts past the limits; absent when off. */
  readonly bruteForce?: BruteForceGuard;
  /** The host's key for who is calling (e.g. the peer address); see the `callerKey` option. */
  readonly callerKey?: (request: Request) => string | undefined;
}

/** The outcome of a successful client authentication. */
export interface AuthenticatedClient {
  readonly client: Client;
  readonly method: TokenEndpointAuthMethod;
}

function authenticationFailed(viaHeader: boolean, challenge: string): OAuthError {
  // RFC 6749 s5.2: after an Authorization header attempt, 401 with a challenge for the
  // scheme the client used; otherwise 400 (SPEC B-4).
  return viaHeader
    ? new OAuthError("invalid_client", "client authentication failed", {
      status: 401,
      headers: { "www-authenticate": challenge },
    })
    : new OAuthError("invalid_client", "client authentication failed");
}

function callerOf(request: Request, ctx: ClientAuthContext): string | undefined {
  if (ctx.callerKey === undefined) return undefined;
  const caller = ctx.callerKey(request);
  return typeof caller === "string" && caller !== "" ? caller : undefined;
}

async function checkSecret(
  request: Request,
  client_id: string,
  secret: string,
  method: TokenEndpointAuthMethod,
  viaHeader: boolean,
  ctx: ClientAuthContext,
): Promise<AuthenticatedClient> {
  // RFC 6749 s2.3.1: brute-force protection. Decided before the client is looked up or the
  // secret hashed, so a refused attempt costs nothing and says nothing about the client.
  const attempt = ctx.bruteForce === undefined ? undefined : await ctx.bruteForce.begin(client_id, callerOf(request, ctx));
  try {
    const client = await ctx.findClient(client_id);
    const hashes = client !== undefined && client.secrets.length > 0 ? client.secrets : ctx.unknownClientSecrets;
    const secretMatches = await verifySecret(secret, hashes, ctx.crypto);
    if (
      !secretMatches || client === undefined || client.token_endpoint_auth_method !== method ||
      (client.client_secret_expires_at !== 0 && client.client_secret_expires_at <= ctx.clock() / 1000)
    ) {
      await attempt?.failed();
      throw authenticationFailed(viaHeader, ctx.basicChallenge);
    }
    await attempt?.succeeded();
    return { client, method };
  } finally {
    attempt?.end();
  }
}

/** What a failed attempt presented, for the `client_authentication_failed` event. */
interface Attempt {
  client_id?: string;
  method?: TokenEndpointAuthMethod;
}

/**
 * Authenticates the client of a request to the token endpoint, or to the introspection or
 * revocation endpoint (RFC 7662 s2.1 and RFC 7009 s2.1 use the token endpoint's client
 * authentication).
 *
 * - `client_secret_basic`: `Authorization: Basic`, decoded per RFC 6749 App. B. A body
 *   `client_id` may accompany it only if it names the same client.
 * - `client_secret_post`: `client_id` and `client_secret` in the body (never the query).
 * - More than one method in one request: 400 `invalid_request` (RFC 6749 s2.3).
 * - No credentials: 400 `invalid_client`.
 * - Too many failed attempts (see `brute_force.ts`): 429 with `Retry-After`, before any
 *   secret is checked.
 *
 * Every `invalid_client` also emits a `client_authentication_failed` event for `endpoint`,
 * naming the client id and method presented (never the secret).
 */
export async function authenticateClient(
  request: Request,
  form: FormParameters,
  ctx: ClientAuthContext,
  endpoint: EndpointName = "token",
): Promise<AuthenticatedClient> {
  const attempt: Attempt = {};
  try {
    return await authenticate(request, form, ctx, attempt);
  } catch (e) {
    if (e instanceof OAuthError && e.error === "invalid_client") {
      emit(ctx, { type: "client_authentication_failed", endpoint, ...attempt });
    }
    throw e;
  }
}

function authenticate(
  request: Request,
  form: FormParameters,
  ctx: ClientAuthContext,
  attempt: Attempt,
): Promise<AuthenticatedClient> {
  const header = request.headers.get("authorization");
  const bodySecret = form.get("client_secret");
  const assertion = form.get("client_assertion") ?? form.get("client_assertion_type");
  const methods = (header !== null ? 1 : 0) + (bodySecret !== undefined ? 1 : 0) + (assertion !== undefined ? 1 : 0);
  if (methods > 1) {
    throw new OAuthError("invalid_request", "the request uses more than one client authentication method");
  }
  const bodyId = form.get("client_id");

  if (header !== null) {
    const { scheme, credentials } = parseAuthorizationHeader(header);
    if (scheme === "basic") attempt.method = "client_secret_basic";
    const basic = scheme === "basic" ? decodeBasicCredentials(credentials) : undefined;
    if (basic === undefined) throw authenticationFailed(true, ctx.basicChallenge);
    if (bodyId !== undefined && bodyId !== basic.client_id) {
      throw new OAuthError("invalid_request", "client_id in the body differs from the Authorization header");
    }
    attempt.client_id = basic.client_id;
    return checkSecret(request, basic.client_id, basic.client_secret, "client_secret_basic", true, ctx);
  }
  if (bodySecret !== undefined) {
    attempt.method = "client_secret_post";
    if (bodyId === undefined) throw authenticationFailed(false, ctx.basicChallenge);
    attempt.client_id = bodyId;
    return checkSecret(request, bodyId, bodySecret, "client_secret_post", false, ctx);
  }
  if (bodyId !== undefined) attempt.client_id = bodyId;
  // No credentials, or an assertion while no assertion method is configured: a client that
  // does not authenticate cannot use the client credentials grant (RFC 6749 s4.4).
  throw authenticationFailed(false, ctx.basicChallenge);
}
