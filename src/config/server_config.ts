/**
 * The one resolver: options (of `handleTokenRequest` or `createAuthorizationServer`, the
 * same rules for both) validated once and turned into the one configuration every endpoint
 * reads. It reads top to bottom, in the order problems are reported: the keys, the issuer,
 * backends and time, clients, tokens, grants, client authentication, the endpoints' URLs,
 * then what only the endpoints around the token endpoint use.
 *
 * @module
 */

import { resolveAssertionSettings } from "../client_auth/assertion_options.ts";
import type { ClientAuthContext } from "../client_auth/authenticate.ts";
import { createBruteForceGuard } from "../client_auth/brute_force.ts";
import { ClientKeys } from "../client_auth/client_keys.ts";
import { clientLookup } from "../clients/client_lookup.ts";
import type { ClientRegistration } from "../clients/registration.ts";
import { checkedCryptoProvider } from "../crypto/checked_provider.ts";
import { webCrypto } from "../crypto/provider.ts";
import { type DpopContext, resolveDpopOptions } from "../dpop/options.ts";
import { ConfigurationError } from "../errors.ts";
import { federationContext } from "../federation/federated_clients.ts";
import { resolveTrustedIssuers } from "../federation/trusted_issuer.ts";
import type { FormLimits } from "../http/form.ts";
import { type CorsPolicy, corsPolicy } from "../http/cors.ts";
import type { IntrospectionPolicy } from "../introspection_policy.ts";
import type { MtlsEndpointAliases } from "../mtls/endpoint_aliases.ts";
import { resolveMtlsOptions } from "../mtls/options.ts";
import {
  replayStoreOf,
  requireSigningKeys,
  resourcePolicy,
  tokenEndpointDescription,
  tokenEndpointUrl,
  tokenStoreOf,
} from "../options.ts";
import type { ResourcePolicy } from "../resource_indicators.ts";
import {
  type ForeignTokenRevocation,
  introspectionPolicyOf,
  resolveEndpoints,
  revocationStoreOf,
  serverDescription,
  type ServerEndpoints,
  type ServerOptions,
} from "../server_options.ts";
import type { ReplayStore } from "../stores/replay_store.ts";
import type { RevocationStore } from "../stores/revocation_store.ts";
import type { TokenExchangePolicy } from "../token_exchange/policy.ts";
import type { JwtBearerPolicy } from "../grants/jwt_bearer_policy.ts";
import type { IssueContext } from "../tokens/access_token.ts";
import type { LookupContext } from "../tokens/lookup.ts";
import { checkObject } from "./describe.ts";
import { quotedString } from "../http/quoted_string.ts";

/**
 * The server's resolved configuration: what every endpoint reads, the token endpoint's
 * (through `handleTokenRequest` or the server) included. Each module names the part it reads
 * (`ClientAuthContext`, `IssueContext`, `LookupContext`, the endpoint skeleton's
 * `EndpointContext`); this is all of them, resolved once.
 *
 * @example
 * ```ts
 * import { resolveServerConfig } from "./server_config.ts";
 * const config = resolveServerConfig({ issuer: "https://auth.example.com", clients: [] });
 * config.endpoints.token; // "https://auth.example.com/token"
 * ```
 */
export interface ServerConfig extends ClientAuthContext, IssueContext, LookupContext {
  readonly issuer: string;
  readonly realm: string;
  readonly requireHttps: boolean;
  readonly form: FormLimits;
  readonly resources: ResourcePolicy;
  /** The public URLs of the endpoints; `endpoints.token` is the token endpoint's. */
  readonly endpoints: ServerEndpoints;
  /** The token endpoint URL as a DPoP `htu` compares (normalised, RFC 9449 s4.3). */
  readonly tokenEndpointHtu: string;
  /** Its mutual-TLS alias as `htu` compares, when the server has one (RFC 8705 s5). */
  readonly tokenEndpointAliasHtu: string | undefined;
  /** The mutual-TLS aliases of the endpoints (RFC 8705 s5), resolved. */
  readonly endpointAliases: Readonly<MtlsEndpointAliases>;
  /** Reserved for the JWK Set (see `EndpointOptions.jwks`), served or not. */
  readonly jwksUrl: string;
  readonly mountPath: string | undefined;
  readonly replayStore: ReplayStore;
  /** DPoP settings; `undefined` when DPoP is off. */
  readonly dpop: DpopContext | undefined;
  /** The deadline on calls into pluggable stores (`storeTimeoutMs`), in milliseconds. */
  readonly storeTimeoutMs: number;
  /** Whether every access token is bound to the client's certificate (RFC 8705 s3). */
  readonly certificateBoundAccessTokens: boolean;
  /** Who may exchange what; `undefined`: token exchange is off. */
  readonly tokenExchangePolicy: TokenExchangePolicy | undefined;
  /** What assertions of the JWT bearer grant may be granted; `undefined`: the grant is off. */
  readonly jwtBearerPolicy: JwtBearerPolicy | undefined;
  /** Revoked JWT ids: written by the revocation endpoint, read wherever a JWT is accepted. */
  readonly revocationStore: RevocationStore;
  readonly introspectionPolicy: Required<IntrospectionPolicy>;
  readonly foreignTokenRevocation: ForeignTokenRevocation;
  /** The registered clients, when configured as a list. */
  readonly registrations: readonly ClientRegistration[] | undefined;
  readonly scopesSupported: readonly string[] | undefined;
  readonly responseTypesSupported: readonly string[] | undefined;
  /** The CORS policy, when configured. */
  readonly cors: CorsPolicy | undefined;
}

/** Every option of the server, the token endpoint's included: the one description the resolver checks. */
const description = { ...tokenEndpointDescription, ...serverDescription };

/** Each options object's outcome: its configuration, or its error (a bad one is not re-validated per request). */
const outcomes = new WeakMap<object, ServerConfig | ConfigurationError>();

/**
 * Validates options and resolves the configuration, once per options object: the result, or
 * the configuration error, is cached by the object's identity, so `handleTokenRequest` and `createAuthorizationServer`
 * given the same object share one configuration (its default in-memory stores included).
 * Throws a {@link ConfigurationError} whose `path` names the first option at fault.
 *
 * @example
 * ```ts
 * import { resolveServerConfig } from "./server_config.ts";
 * const options = { issuer: "https://auth.example.com", clients: [] };
 * resolveServerConfig(options) === resolveServerConfig(options); // true
 * ```
 */
export function resolveServerConfig(options: ServerOptions): ServerConfig {
  const known = outcomes.get(options);
  if (known instanceof ConfigurationError) throw known;
  if (known !== undefined) return known;
  try {
    const config = resolve(options);
    outcomes.set(options, config);
    return config;
  } catch (e) {
    if (e instanceof ConfigurationError && typeof options === "object" && options !== null) outcomes.set(options, e);
    throw e;
  }
}

function resolve(options: ServerOptions): ServerConfig {
  // Every key known, every field valid by its description, defaults applied; what is left
  // below is resolution and the rules that span fields.
  const o = checkObject(description, options, "");
  const issuer = o.issuer;

  // Backends and time. A user's crypto provider is checked on every call (see
  // checked_provider.ts); the built-in one needs no checking.
  const timeoutMs = o.storeTimeoutMs;
  const crypto = o.crypto === undefined || o.crypto === webCrypto ? webCrypto : checkedCryptoProvider(o.crypto, timeoutMs);
  const clock = o.clock ?? Date.now;
  const tokenStore = tokenStoreOf(o.tokenStore, clock, timeoutMs);

  // Clients, tokens, grants.
  const clients = o.clients;
  const findClient = clientLookup(clients, crypto, timeoutMs);
  const fixedClients = Array.isArray(clients) ? clients as readonly ClientRegistration[] : undefined;
  const realm = o.realm ?? issuer;
  requireSigningKeys(o.accessTokenFormat, o.signingKeys, clients);

  // The token endpoint's URL (DPoP proofs name it in `htu`), then client authentication.
  const tokenEndpoint = tokenEndpointUrl(options, issuer);
  const replayStore = replayStoreOf(o.replayStore, clock, timeoutMs);
  const fetch = o.fetch ?? globalThis.fetch;
  // A runtime without a global fetch needs one given, or the first jwks_uri would fail late.
  if (typeof fetch !== "function") throw new ConfigurationError("fetch must be a function (this runtime has no global fetch)", "fetch");
  const clientAssertion = resolveAssertionSettings(o.clientAssertion);
  // With a fixed list, federated credentials are checked against the issuers even when
  // none are configured: a credential naming an unknown issuer is a mistake to report now.
  const federation = o.trustedIssuers === undefined && !fixedClients?.some((c) => c?.federated_credentials !== undefined)
    ? undefined
    : federationContext(
      resolveTrustedIssuers(o.trustedIssuers ?? [], { serverIssuer: issuer, fetch: (input, init) => fetch(input, init), clock, settings: clientAssertion }),
      fixedClients,
    );
  const mtls = resolveMtlsOptions(options, timeoutMs);
  const dpop = o.dpop === false
    ? undefined
    : resolveDpopOptions(o.dpop ?? {}, { replayStore, crypto, clock, label: tokenEndpoint });

  // The endpoints' URLs, and what only the endpoints around the token endpoint use.
  const urls = resolveEndpoints(options, {
    issuer,
    tokenEndpoint,
    servesJwks: o.signingKeys !== undefined,
    readsCertificates: mtls.clientCertificates !== undefined,
  });
  const endpoints = urls.endpoints;

  const config: ServerConfig = {
    issuer,
    realm,
    crypto,
    clock,
    onEvent: o.onEvent,
    findClient,
    basicChallenge: `Basic realm=${quotedString(realm)}`,
    // A digest no known secret hashes to (finding one means inverting SHA-256), and a match
    // would still fail for want of a client. Not random: options are often resolved at a
    // module's top level, where Cloudflare Workers forbid generating random values.
    unknownClientSecrets: [{ scheme: "sha256", digest: new Uint8Array(32) }],
    bruteForce: createBruteForceGuard(o.bruteForce, clock, timeoutMs),
    callerKey: o.callerKey,
    endpointUrls: Object.freeze({
      token: endpoints.token,
      ...(endpoints.introspection === undefined ? {} : { introspection: endpoints.introspection }),
      ...(endpoints.revocation === undefined ? {} : { revocation: endpoints.revocation }),
    }),
    endpointAliases: urls.aliases,
    clientAssertion,
    clientKeys: new ClientKeys({ fetch: (input, init) => fetch(input, init), clock, settings: clientAssertion }),
    federation,
    tokenStore,
    accessTokenLifetime: o.accessTokenLifetime,
    requireHttps: o.requireHttps,
    form: {
      maxBytes: o.maxBodyBytes,
      timeoutMs: o.bodyTimeoutMs,
      // RFC 8707 s2; RFC 8693 s2.1 (audience).
      repeatable: new Set(["resource", "audience"]),
    },
    accessTokenFormat: o.accessTokenFormat,
    signingKeys: o.signingKeys,
    resources: resourcePolicy(o.allowedResources, o.defaultResource, o.resourceScopes),
    endpoints,
    tokenEndpointHtu: urls.tokenEndpointHtu,
    tokenEndpointAliasHtu: urls.tokenEndpointAliasHtu,
    jwksUrl: urls.jwksUrl,
    mountPath: urls.mountPath,
    replayStore,
    dpop,
    storeTimeoutMs: timeoutMs,
    clientCertificates: mtls.clientCertificates,
    certificateBoundAccessTokens: mtls.certificateBoundAccessTokens,
    tokenExchangePolicy: o.tokenExchangePolicy,
    jwtBearerPolicy: o.jwtBearerPolicy,
    revocationStore: revocationStoreOf(o.revocationStore, clock, timeoutMs),
    introspectionPolicy: introspectionPolicyOf(o.introspectionPolicy),
    foreignTokenRevocation: o.foreignTokenRevocation,
    registrations: fixedClients,
    scopesSupported: o.scopesSupported === undefined ? undefined : [...new Set(o.scopesSupported)],
    responseTypesSupported: o.responseTypesSupported === undefined ? urls.responseTypesSupported : [...new Set(o.responseTypesSupported)],
    cors: corsPolicy(o.cors),
  };
  return config;
}
