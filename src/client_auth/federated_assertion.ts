/**
 * Federated client authentication: a workload authenticates as a client with the token its
 * platform issued (GitHub Actions, Kubernetes, a SPIFFE trust domain), presented as a client
 * assertion, instead of a secret or a key of its own.
 *
 * - `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` with a
 *   JWT whose `iss` is a trusted issuer (RFC 7523 s2.2, as Entra's federated identity
 *   credentials take it): the client's `token_endpoint_auth_method` is `private_key_jwt`,
 *   the key being the platform's.
 * - `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-spiffe` with a
 *   SPIFFE JWT-SVID (draft-ietf-oauth-spiffe-client-auth s3.1): method `spiffe_jwt`.
 *
 * `client_id` in the body is optional when the clients are a fixed list: the one client
 * whose federated credential accepts the token is found (start-up made sure there is at
 * most one). With a client store it is required.
 *
 * Everything that holds for `private_key_jwt` holds here: the brute-force guard admits the
 * attempt first; the token is verified (`verifyPlatformToken`: issuer pinned, algorithm
 * fixed by the key, times, lifetime, audience, signature, a decoy check for an unknown
 * issuer); the client must be registered for the method and have a credential for that
 * issuer whose rules hold; only then is the token's `jti` remembered (unless its issuer
 * allows reuse). Every failure is the same `invalid_client`; an issuer whose keys cannot be
 * fetched is not counted against the caller. A success emits `federated_client_authenticated`
 * with the issuer and the subject (never the token).
 *
 * @module
 */

import type { Client, TokenEndpointAuthMethod } from "../clients/registration.ts";
import { emit, type EndpointName } from "../events.ts";
import type { FederationContext } from "../federation/federated_clients.ts";
import { matchClaimRules } from "../federation/claim_rules.ts";
import { rememberPlatformToken } from "../federation/platform_token_replay.ts";
import {
  type PlatformTokenProfile,
  presentedPlatformToken,
  type VerifiedPlatformToken,
  verifyPlatformToken,
} from "../federation/verify_platform_token.ts";
import type { FormParameters } from "../http/form.ts";
import { storeFailure } from "../stores/store_unavailable.ts";
import type { AuthenticatedClient, ClientAuthContext } from "./authenticate.ts";
import { AssertionRejected, JWT_BEARER_ASSERTION_TYPE } from "./jwt_assertion.ts";

/** draft-ietf-oauth-spiffe-client-auth s3.1: a SPIFFE JWT-SVID as the client assertion. */
export const JWT_SPIFFE_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-spiffe";

/** What a failed attempt presented, for the `client_authentication_failed` event. */
export interface FederatedAttempt {
  client_id?: string;
  method?: TokenEndpointAuthMethod;
  issuer?: string;
}

/**
 * Whether the request's client assertion is a platform token, and of which profile: a
 * JWT-SVID by its assertion type, a JWT by an `iss` that is a trusted issuer. `undefined`:
 * an ordinary client assertion (or none).
 *
 * @example
 * ```ts
 * import { platformTokenProfile } from "./federated_assertion.ts";
 * import type { FederationContext } from "../federation/federated_clients.ts";
 * import type { FormParameters } from "../http/form.ts";
 * declare const form: FormParameters;
 * declare const federation: FederationContext;
 * platformTokenProfile(form, federation); // "jwt", "jwt-svid" or undefined
 * ```
 */
export function platformTokenProfile(form: FormParameters, federation: FederationContext): PlatformTokenProfile | undefined {
  const type = form.get("client_assertion_type");
  if (type === JWT_SPIFFE_ASSERTION_TYPE) return "jwt-svid";
  const assertion = form.get("client_assertion");
  if (type !== JWT_BEARER_ASSERTION_TYPE || assertion === undefined) return undefined;
  return presentedPlatformToken(assertion, federation.issuers, "jwt") === undefined ? undefined : "jwt";
}

const METHOD: Readonly<Record<PlatformTokenProfile, TokenEndpointAuthMethod>> = { jwt: "private_key_jwt", "jwt-svid": "spiffe_jwt" };

/** Whether `client` may be authenticated by `token`: its method, and a credential whose rules hold. */
function accepts(client: Client, token: VerifiedPlatformToken, method: TokenEndpointAuthMethod): boolean {
  if (client.token_endpoint_auth_method !== method) return false;
  let ok = false;
  for (const c of client.federated_credentials) if (c.issuer === token.issuer.issuer && matchClaimRules(c.rules, token.claims)) ok = true;
  return ok;
}

/** The one client the token authenticates as, or the reason there is none. */
async function clientFor(
  token: VerifiedPlatformToken,
  bodyId: string | undefined,
  method: TokenEndpointAuthMethod,
  ctx: ClientAuthContext,
  federation: FederationContext,
): Promise<Client> {
  if (bodyId !== undefined) {
    const client = await ctx.findClient(bodyId);
    if (client === undefined) throw new AssertionRejected("unknown client");
    if (!accepts(client, token, method)) throw new AssertionRejected("no federated credential of the client accepts the token");
    return client;
  }
  const candidates = federation.clientsByIssuer;
  if (candidates === undefined) throw new AssertionRejected("with a client store, a platform token must come with client_id");
  const matching: Client[] = [];
  for (const id of candidates.get(token.issuer.issuer) ?? []) {
    const client = await ctx.findClient(id);
    if (client !== undefined && accepts(client, token, method)) matching.push(client);
  }
  if (matching.length === 0) throw new AssertionRejected("no registered client accepts the token");
  // Start-up refuses overlapping rules, so this only guards against a change behind its back.
  if (matching.length > 1) throw new AssertionRejected("more than one registered client accepts the token; send client_id");
  return matching[0]!;
}

/**
 * Authenticates the client of a request whose client assertion is a platform token (see
 * {@link platformTokenProfile}). Throws `AssertionRejected` for every failure to
 * authenticate (the caller answers `invalid_client`), an `OAuthError` for a brute-force
 * lockout or a full replay store, and rethrows store faults.
 *
 * @example
 * ```ts
 * import { authenticateWithPlatformToken } from "./federated_assertion.ts";
 * import type { ClientAuthContext } from "./authenticate.ts";
 * import type { FederationContext } from "../federation/federated_clients.ts";
 * import type { FormParameters } from "../http/form.ts";
 * declare const form: FormParameters;
 * declare const ctx: ClientAuthContext;
 * declare const federation: FederationContext;
 * const { client } = await authenticateWithPlatformToken(form, ctx, federation, "token", {}, "jwt", undefined);
 * ```
 */
export async function authenticateWithPlatformToken(
  form: FormParameters,
  ctx: ClientAuthContext,
  federation: FederationContext,
  endpoint: EndpointName,
  attempt: FederatedAttempt,
  profile: PlatformTokenProfile,
  caller: string | undefined,
): Promise<AuthenticatedClient> {
  const method = METHOD[profile];
  const assertion = form.get("client_assertion");
  const bodyId = form.get("client_id");
  attempt.method = method;
  if (bodyId !== undefined) attempt.client_id = bodyId;
  // RFC 7521 s4.2: both parameters are REQUIRED.
  if (assertion === undefined) throw new AssertionRejected("client_assertion is missing");
  const presented = presentedPlatformToken(assertion, federation.issuers, profile);
  if (presented !== undefined) attempt.issuer = presented.issuer.issuer;
  // Failures are counted per client_id when one is named, else per workload identity the
  // token claims (checked or not, like a client_id): never per issuer, which would let
  // one attacker close an issuer's every workload to new callers.
  const guardKey = bodyId ?? `federated:${presented?.issuer.issuer ?? "?"}#${presented?.subject ?? "?"}`;
  const guarded = ctx.bruteForce === undefined ? undefined : await ctx.bruteForce.begin(guardKey, caller);
  try {
    // Only a refusal at the signature could be a guess at a workload's credential (a forgery);
    // junk, a genuine token of another workload and a replay are not counted (issue 17).
    let counted = false;
    try {
      const token = await verifyPlatformToken(assertion, federation.issuers, {
        nowMs: ctx.clock(),
        clockTolerance: ctx.clientAssertion.clockTolerance,
        profile,
      });
      if (!token.ok) {
        // An issuer whose keys cannot be read is its fault, not a guess (as for a jwks_uri).
        counted = token.atSignature && !token.keysUnavailable;
        throw new AssertionRejected(token.reason);
      }
      const client = await clientFor(token, bodyId, method, ctx, federation);
      let verdict;
      try {
        verdict = await rememberPlatformToken(token, ctx.replayStore, ctx.clientAssertion.clockTolerance);
      } catch (e) {
        throw storeFailure(e, "the server cannot record more assertions now");
      }
      if (!verdict.ok) throw new AssertionRejected(verdict.reason);
      await guarded?.succeeded();
      emit(ctx, {
        type: "federated_client_authenticated",
        endpoint,
        client_id: client.client_id,
        method,
        issuer: token.issuer.issuer,
        subject: token.subject,
      });
      return { client, method };
    } catch (e) {
      // A counter for a client_id no registration has guards no secret: forgettable (issue 17).
      if (e instanceof AssertionRejected && counted) {
        await guarded?.failed(bodyId !== undefined && await ctx.findClient(bodyId) !== undefined);
      }
      throw e;
    }
  } finally {
    guarded?.end();
  }
}
