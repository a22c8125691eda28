/**
 * Client authentication at the token endpoint (RFC 6749 s2.3): which method the request
 * uses, the one-method-per-request rule, and the check of the credentials against the
 * registration: a secret (RFC 6749 s2.3.1), a signed assertion (RFC 7523 s2.2), a platform
 * token from a trusted external issuer (federation; see `federated_assertion.ts`), or the
 * TLS client certificate (RFC 8705 s2, see `tls_client_auth.ts`).
 *
 * Every failure to authenticate is the same `invalid_client` answer (same status, body and
 * headers) whether the client is unknown, the secret wrong or expired, the assertion bad in
 * any way, or the method not the one registered; and the secret is hashed and compared in
 * every one of those cases, so timing does not tell them apart either. Likewise an
 * assertion's signature is checked (against a decoy key) when its client is unknown, uses
 * another method or another algorithm. (A client whose keys come from its `jwks_uri` may
 * still take the time of a fetch; client ids are not secrets, RFC 6749 s2.2.)
 *
 * @module
 */

import type { Client, TokenEndpointAuthMethod } from "../clients/registration.ts";
import type { FindClient } from "../clients/client_lookup.ts";
import { type SecretHash, verifySecret } from "../clients/secrets.ts";
import type { CryptoProvider } from "../crypto/provider.ts";
import { sha256 } from "../crypto/sha256.ts";
import { encodeBase64Url } from "../encoding/base64.ts";
import { OAuthError } from "../errors.ts";
import { emit, type EndpointName, type EventContext } from "../events.ts";
import { parseAuthorizationHeader } from "../http/authorization.ts";
import type { FormParameters } from "../http/form.ts";
import { verifySignature } from "../jose/jws.ts";
import { KeysUnavailableError } from "../jose/remote_jwks.ts";
import type { ReplayStore } from "../stores/replay_store.ts";
import { storeFailure } from "../stores/store_unavailable.ts";
import type { AssertionSettings } from "./assertion_options.ts";
import { decodeBasicCredentials } from "./basic.ts";
import type { BruteForceGuard, GuardedAttempt } from "./brute_force.ts";
import type { ClientKeys } from "./client_keys.ts";
import { decoyVerify } from "./decoy_keys.ts";
import { authenticateWithPlatformToken, platformTokenProfile } from "./federated_assertion.ts";
import type { FederationContext } from "../federation/federated_clients.ts";
import { AssertionRejected, checkAssertionClaims, type CheckedAssertion, readAssertion } from "./jwt_assertion.ts";
import type { RequestCertificates } from "../mtls/client_certificate.ts";
import { authenticateByCertificate } from "./tls_client_auth.ts";

/** What client authentication needs from the server's configuration. */
export interface ClientAuthContext extends EventContext {
  readonly crypto: CryptoProvider;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** Looks up and prepares a client; `undefined` when unknown. */
  readonly findClient: FindClient;
  /** The `WWW-Authenticate` value for a failed Basic attempt, e.g. `Basic realm="..."`. */
  readonly basicChallenge: string;
  /** Hashes no secret matches, checked when the client is unknown so the work is the same. */
  readonly unknownClientSecrets: readonly SecretHash[];
  /** Counts failed authentications and refuses attempts past the limits; absent when off. */
  readonly bruteForce?: BruteForceGuard;
  /** The host's key for who is calling (e.g. the peer address); see the `callerKey` option. */
  readonly callerKey?: (request: Request) => string | undefined;
  /** The issuer identifier: always an accepted assertion `aud` (RFC 7523 s3). */
  readonly issuer: string;
  /**
   * The public URLs of the endpoints that authenticate clients. With `strictAudience: false`
   * (not the default), an assertion's `aud` may also be the token endpoint URL (RFC 7523 s3) or the URL
   * of the endpoint called.
   */
  readonly endpointUrls: Readonly<Partial<Record<EndpointName, string>>>;
  /** The endpoints' mutual-TLS aliases (RFC 8705 s5): their URLs too, for `aud`. */
  readonly endpointAliases?: Readonly<Partial<Record<EndpointName, string>>>;
  /** How assertions are checked (the `clientAssertion` option). */
  readonly clientAssertion: AssertionSettings;
  /** Where the keys that verify assertions come from. */
  readonly clientKeys: ClientKeys;
  /** Remembers assertion `jti`s so each assertion is accepted once (RFC 7523 s3 item 7). */
  readonly replayStore: ReplayStore;
  /** Trusted external issuers and the clients their tokens authenticate; absent when none. */
  readonly federation?: FederationContext | undefined;
  /** The requests' TLS client certificates (the `clientCertificate` option); absent: no mutual TLS. */
  readonly clientCertificates?: RequestCertificates;
}

/** The outcome of a successful client authentication. */
export interface AuthenticatedClient {
  readonly client: Client;
  readonly method: TokenEndpointAuthMethod;
}

function authenticationFailed(viaHeader: boolean, challenge: string, cause?: unknown): OAuthError {
  // RFC 6749 s5.2: after an Authorization header attempt, 401 with a challenge for the
  // scheme the client used; otherwise 400 (but see `authenticateClient`). The reason stays
  // in `cause` (for logs), never in the answer, so every failure looks the same.
  return viaHeader
    ? unauthorized("client authentication failed", challenge, cause)
    : new OAuthError("invalid_client", "client authentication failed", { cause });
}

/** `401 invalid_client` with a challenge for the schemes the server accepts (RFC 9110 s15.5.2). */
function unauthorized(description: string | undefined, challenge: string, cause?: unknown): OAuthError {
  return new OAuthError("invalid_client", description, { status: 401, headers: { "www-authenticate": challenge }, cause });
}

function callerOf(request: Request, ctx: ClientAuthContext): string | undefined {
  if (ctx.callerKey === undefined) return undefined;
  const caller = ctx.callerKey(request);
  return typeof caller === "string" && caller !== "" ? caller : undefined;
}

/**
 * A secret presented by `client_secret_basic` or `client_secret_post`, checked in order: the
 * brute-force guard admits the attempt, the client is looked up, the secret is verified, the
 * guard records the outcome, the attempt ends. Answered without a promise when every step
 * is synchronous (the in-memory guard, a fixed client list after the first request, the
 * default SHA-256): on every runtime each async layer of this path measured about 0.3 µs a
 * request (issue 15, bench/diag/micro_auth.ts). A step that returns a promise carries the
 * rest of the check on in it; the order, and the one `end()` after everything, are the same.
 */
function checkSecret(request: Request, presented: PresentedSecret, ctx: ClientAuthContext): AuthenticatedClient | Promise<AuthenticatedClient> {
  // RFC 6749 s2.3.1: brute-force protection. Decided before the client is looked up or the
  // secret hashed, so a refused attempt costs nothing and says nothing about the client.
  const begun = ctx.bruteForce === undefined ? undefined : ctx.bruteForce.begin(presented.client_id, callerOf(request, ctx));
  if (begun instanceof Promise) return begun.then((attempt) => checkAdmitted(attempt, presented, ctx));
  return checkAdmitted(begun, presented, ctx);
}

/** A secret as presented, with how: the method, and whether in an `Authorization` header. */
interface PresentedSecret {
  readonly client_id: string;
  readonly secret: string;
  readonly method: TokenEndpointAuthMethod;
  readonly viaHeader: boolean;
}

/** {@link checkSecret} once the guard admitted the attempt: ends it, whatever happens. */
function checkAdmitted(
  attempt: GuardedAttempt | undefined,
  presented: PresentedSecret,
  ctx: ClientAuthContext,
): AuthenticatedClient | Promise<AuthenticatedClient> {
  let outcome: AuthenticatedClient | Promise<AuthenticatedClient>;
  try {
    const found = ctx.findClient(presented.client_id);
    outcome = found instanceof Promise
      ? found.then((client) => checkFound(attempt, client, presented, ctx))
      : checkFound(attempt, found, presented, ctx);
  } catch (e) {
    attempt?.end();
    throw e;
  }
  if (attempt === undefined) return outcome;
  if (outcome instanceof Promise) return outcome.finally(() => attempt.end());
  attempt.end();
  return outcome;
}

/** The secret verified against the client's hashes (or decoys, for an unknown client). */
function checkFound(
  attempt: GuardedAttempt | undefined,
  client: Client | undefined,
  presented: PresentedSecret,
  ctx: ClientAuthContext,
): AuthenticatedClient | Promise<AuthenticatedClient> {
  const hashes = client !== undefined && client.secrets.length > 0 ? client.secrets : ctx.unknownClientSecrets;
  const verified = verifySecret(presented.secret, hashes, ctx.crypto);
  return verified instanceof Promise
    ? verified.then((matches) => verdict(attempt, client, matches, presented, ctx))
    : verdict(attempt, client, verified, presented, ctx);
}

/** Accepted, or refused with the one `invalid_client` answer; the guard records which. */
function verdict(
  attempt: GuardedAttempt | undefined,
  client: Client | undefined,
  secretMatches: boolean,
  { method, viaHeader }: PresentedSecret,
  ctx: ClientAuthContext,
): AuthenticatedClient | Promise<AuthenticatedClient> {
  if (
    !secretMatches || client === undefined || client.token_endpoint_auth_method !== method ||
    (client.client_secret_expires_at !== 0 && client.client_secret_expires_at <= ctx.clock() / 1000)
  ) {
    const counted = attempt?.failed(client !== undefined);
    if (counted === undefined) throw authenticationFailed(viaHeader, ctx.basicChallenge);
    // A guard that fails to count rejects with its store failure, answered as such (never as a refusal).
    return counted.then(() => {
      throw authenticationFailed(viaHeader, ctx.basicChallenge);
    });
  }
  const authenticated: AuthenticatedClient = { client, method };
  const recorded = attempt?.succeeded();
  return recorded === undefined ? authenticated : recorded.then(() => authenticated);
}

/**
 * The replay record of an assertion: per client, so one client cannot burn another's jti;
 * and hashed, so that whatever a client puts in its `jti` (a NUL, which PostgreSQL's `text`
 * cannot hold; a megabyte) reaches the store as 43 safe characters.
 */
function replayKey(assertion: CheckedAssertion): string {
  const body = `${assertion.client_id.length}:${assertion.client_id}${assertion.jti}`;
  return `ca#${encodeBase64Url(sha256(new TextEncoder().encode(body)))}`;
}

/** The audiences an assertion may name at `endpoint`, besides the issuer. */
function acceptedAudiences(ctx: ClientAuthContext, endpoint: EndpointName): ReadonlySet<string> {
  const accepted = new Set([ctx.issuer]);
  const aliases = ctx.endpointAliases;
  for (const url of [ctx.endpointUrls.token, ctx.endpointUrls[endpoint], aliases?.token, aliases?.[endpoint]]) {
    if (url !== undefined) accepted.add(url);
  }
  return accepted;
}

/** The assertion read and its claims checked (no key, no I/O), or `invalid_client`. */
function presentedAssertion(form: FormParameters, ctx: ClientAuthContext, endpoint: EndpointName, attempt: Attempt): CheckedAssertion {
  try {
    return checkAssertionClaims(readAssertion(form, attempt), ctx.clientAssertion, ctx.issuer, acceptedAudiences(ctx, endpoint), ctx.clock());
  } catch (e) {
    throw e instanceof AssertionRejected ? authenticationFailed(false, ctx.basicChallenge, e) : e;
  }
}

/** Why this client may not authenticate with this assertion, before any key is looked at. */
function registrationRefusal(client: Client | undefined, assertion: CheckedAssertion): string | undefined {
  if (client === undefined) return "unknown client";
  if (client.token_endpoint_auth_method !== assertion.method) return "not the client's registered method";
  // The algorithm is fixed by the registration, never by the header alone (RFC 8725 s2.1).
  if (!client.assertion_algorithms.has(assertion.alg)) return "alg not allowed for this client";
  return undefined;
}

/**
 * The client `assertion` authenticates, step by step: registered for this method and
 * algorithm, an unexpired secret (`client_secret_jwt`), a key of the client (only now may a
 * `jwks_uri` be fetched), a valid signature, and a `jti` not seen before. Throws
 * {@link AssertionRejected} (a replay is not a guess), or `KeysUnavailableError` when the
 * client's keys could not be read (the client's fault, not a guess).
 */
async function verifiedClient(assertion: CheckedAssertion, client: Client | undefined, ctx: ClientAuthContext): Promise<Client> {
  const refusal = registrationRefusal(client, assertion);
  if (refusal !== undefined || client === undefined) {
    // A signature check all the same, so that this failure takes as long as a bad signature.
    await decoyVerify(assertion.alg, assertion.jws.signingInput, assertion.jws.signature);
    throw new AssertionRejected(refusal ?? "unknown client");
  }
  if (
    assertion.method === "client_secret_jwt" && client.client_secret_expires_at !== 0 &&
    client.client_secret_expires_at <= ctx.clock() / 1000
  ) {
    throw new AssertionRejected("the client secret has expired");
  }
  const key = await ctx.clientKeys.find(client, assertion.kid, assertion.alg);
  if (key === undefined) throw new AssertionRejected("no key of the client verifies the assertion");
  if (!await verifySignature(assertion.alg, key, assertion.jws.signingInput, assertion.jws.signature)) {
    throw new AssertionRejected("the assertion's signature is invalid");
  }
  // RFC 7523 s3 item 7: single use, remembered for as long as the assertion could pass.
  let first: boolean;
  try {
    first = await ctx.replayStore.remember(replayKey(assertion), Math.ceil(assertion.exp + ctx.clientAssertion.clockTolerance));
  } catch (e) {
    throw storeFailure(e, "the server cannot record more assertions now");
  }
  // A replay: the signature was good, so it guesses nothing.
  if (first !== true) throw new AssertionRejected("the assertion was already used", false);
  return client;
}

/**
 * `private_key_jwt` and `client_secret_jwt` (RFC 7523 s2.2, s3). In order: the assertion
 * is read and its claims checked (no I/O), the brute-force guard admits the attempt, the
 * client is looked up, and {@link verifiedClient} checks it against the assertion, the
 * `jti` last: an attacker who cannot sign cannot use up a client's `jti`.
 *
 * Only a refusal that could be a guess at the client's credential is counted by the guard:
 * an assertion refused before (malformed, unsigned, bad claims, another audience), a replay
 * of a validly signed one, or keys that could not be fetched, never lock a client out.
 */
async function checkAssertion(
  request: Request,
  form: FormParameters,
  ctx: ClientAuthContext,
  endpoint: EndpointName,
  attempt: Attempt,
): Promise<AuthenticatedClient> {
  const assertion = presentedAssertion(form, ctx, endpoint, attempt);
  const guarded = ctx.bruteForce === undefined ? undefined : await ctx.bruteForce.begin(assertion.client_id, callerOf(request, ctx));
  let client: Client | undefined;
  try {
    client = await ctx.findClient(assertion.client_id);
    const verified = await verifiedClient(assertion, client, ctx);
    await guarded?.succeeded();
    return { client: verified, method: assertion.method };
  } catch (e) {
    if (!(e instanceof AssertionRejected || e instanceof KeysUnavailableError)) throw e;
    if (e instanceof AssertionRejected && e.guess) await guarded?.failed(client !== undefined);
    throw authenticationFailed(false, ctx.basicChallenge, e);
  } finally {
    guarded?.end();
  }
}

/** `tls_client_auth` and `self_signed_tls_client_auth` (RFC 8705 s2), without the brute-force guard (see there). */
async function checkCertificate(
  request: Request,
  client_id: string,
  ctx: ClientAuthContext,
  clientCertificates: RequestCertificates,
  attempt: Attempt,
): Promise<AuthenticatedClient> {
  // No certificate and nothing else: no client authentication at all, the same 401 as
  // without mutual TLS (issue 13's rule), whichever client the client_id names.
  if ((await clientCertificates.of(request)).kind === "none") {
    throw unauthorized("client authentication is required", ctx.basicChallenge);
  }
  const outcome = await authenticateByCertificate(request, client_id, { ...ctx, clientCertificates });
  if ("client" in outcome) return { client: outcome.client, method: outcome.client.token_endpoint_auth_method };
  if (outcome.method !== undefined) attempt.method = outcome.method;
  throw authenticationFailed(false, ctx.basicChallenge, new Error(outcome.refusal));
}

/** What a failed attempt presented, for the `client_authentication_failed` event. */
interface Attempt {
  client_id?: string;
  method?: TokenEndpointAuthMethod;
  issuer?: string;
}

/**
 * Authenticates the client of a request to the token endpoint, or to the introspection or
 * revocation endpoint (RFC 7662 s2.1 and RFC 7009 s2.1 use the token endpoint's client
 * authentication).
 *
 * - `client_secret_basic`: `Authorization: Basic`, decoded per RFC 6749 App. B. A body
 *   `client_id` may accompany it only if it names the same client.
 * - `client_secret_post`: `client_id` and `client_secret` in the body (never the query).
 * - `private_key_jwt` and `client_secret_jwt`: `client_assertion_type` and
 *   `client_assertion` in the body (RFC 7523 s2.2); see `jwt_assertion.ts`. An assertion
 *   whose `iss` is a trusted issuer (or a SPIFFE JWT-SVID, `spiffe_jwt`) is a platform token:
 *   see `federated_assertion.ts`.
 * - `tls_client_auth` and `self_signed_tls_client_auth`: `client_id` alone in the body, and
 *   the TLS client certificate (RFC 8705 s2); see `tls_client_auth.ts`.
 * - More than one method in one request: 400 `invalid_request` (RFC 6749 s2.3).
 * - No client authentication at all (at most a `client_id`): 401 `invalid_client` with a
 *   challenge for the schemes the server accepts, at every endpoint (RFC 6749 s5.2).
 * - Credentials that fail: `invalid_client`, 401 with a challenge after an `Authorization`
 *   header attempt and at the introspection endpoint (RFC 7662 s2.3), 400 otherwise.
 * - Too many failed attempts (see `brute_force.ts`): 429 with `Retry-After`, before any
 *   secret is checked.
 *
 * Every `invalid_client` also emits a `client_authentication_failed` event for `endpoint`,
 * naming the client id and method presented (never the secret).
 */
export function authenticateClient(
  request: Request,
  form: FormParameters,
  ctx: ClientAuthContext,
  endpoint: EndpointName = "token",
): AuthenticatedClient | Promise<AuthenticatedClient> {
  // Without a promise when the check needs none (see `checkSecret`); a refusal is the same
  // either way, thrown or rejected.
  const attempt: Attempt = {};
  let outcome: AuthenticatedClient | Promise<AuthenticatedClient>;
  try {
    outcome = authenticate(request, form, ctx, endpoint, attempt);
  } catch (e) {
    throw refusal(e, ctx, endpoint, attempt);
  }
  return outcome instanceof Promise
    ? outcome.catch((e: unknown) => {
      throw refusal(e, ctx, endpoint, attempt);
    })
    : outcome;
}

/** What a failed authentication throws: an `invalid_client` is also an event. */
function refusal(e: unknown, ctx: ClientAuthContext, endpoint: EndpointName, attempt: Attempt): unknown {
  if (e instanceof OAuthError && e.error === "invalid_client") {
    emit(ctx, { type: "client_authentication_failed", endpoint, ...attempt });
    // RFC 7662 s2.3: at introspection, invalid client credentials are a 401 as in RFC 6749
    // s5.2, with a challenge, even when they were sent in the body.
    if (endpoint === "introspection" && e.status !== 401) return unauthorized(e.error_description, ctx.basicChallenge, e.cause);
  }
  return e;
}

function authenticate(
  request: Request,
  form: FormParameters,
  ctx: ClientAuthContext,
  endpoint: EndpointName,
  attempt: Attempt,
): AuthenticatedClient | Promise<AuthenticatedClient> {
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
    return checkSecret(request, { client_id: basic.client_id, secret: basic.client_secret, method: "client_secret_basic", viaHeader: true }, ctx);
  }
  if (bodySecret !== undefined) {
    attempt.method = "client_secret_post";
    if (bodyId === undefined) throw authenticationFailed(false, ctx.basicChallenge);
    attempt.client_id = bodyId;
    return checkSecret(request, { client_id: bodyId, secret: bodySecret, method: "client_secret_post", viaHeader: false }, ctx);
  }
  if (assertion !== undefined) {
    // A platform token from a trusted issuer: federated client authentication.
    const profile = ctx.federation === undefined ? undefined : platformTokenProfile(form, ctx.federation);
    if (profile !== undefined) {
      return authenticateWithPlatformToken(form, ctx, ctx.federation!, endpoint, attempt, profile, callerOf(request, ctx))
        .catch((e) => {
          throw e instanceof AssertionRejected ? authenticationFailed(false, ctx.basicChallenge, e) : e;
        });
    }
    return checkAssertion(request, form, ctx, endpoint, attempt);
  }
  if (bodyId !== undefined) attempt.client_id = bodyId;
  // RFC 8705 s2.1, s2.2: mutual TLS sends client_id alone; the certificate is the credential.
  const certificates = ctx.clientCertificates;
  if (bodyId !== undefined && certificates !== undefined) return checkCertificate(request, bodyId, ctx, certificates, attempt);
  // No credentials: a client that does not authenticate cannot use the client credentials
  // grant (RFC 6749 s4.4), introspect (RFC 7662 s2.1) or revoke (RFC 7009 s2.1). RFC 6749
  // s5.2 lets the answer be a 401 that names the schemes the server supports, and RFC 7662
  // s2.3 asks for one: so at every endpoint, as HTTP clients expect before they retry with
  // credentials. Nothing was checked, so there is nothing to hide about the client.
  throw unauthorized("client authentication is required", ctx.basicChallenge);
}
