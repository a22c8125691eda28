/**
 * Trusted external issuers (the `trustedIssuers` server option): the platforms whose signed
 * tokens this server accepts as proof of a workload's identity, such as GitHub Actions,
 * a Kubernetes cluster, or a SPIFFE trust domain. Each names exactly the `iss` it is
 * trusted for, where its keys come from, the audience its tokens must carry, and limits on
 * those tokens. Validated once at start-up; one key cache per issuer, shared by every
 * registration and every grant that relies on it.
 *
 * @module
 */

import type { AssertionSettings } from "../client_auth/assertion_options.ts";
import { ConfigurationError } from "../errors.ts";
import { arrayOf, boolean, checkObject, closest, custom, type Describes, integer, oneOf, oneOrMany, problem, string } from "../config/describe.ts";
import type { FetchLike } from "../http/fetch.ts";
import { isHttpsOrLoopback } from "../http/loopback.ts";
import { ASYMMETRIC_ALGORITHMS, type JwsAlgorithm } from "../jose/algorithms.ts";
import { algorithmsOfJwk, isPrivateJwk, type Jwk, type JwkSet } from "../jose/jwk.ts";
import { IssuerKeys } from "./issuer_keys.ts";
import { isTrustDomain } from "./spiffe_id.ts";

/**
 * An external issuer whose tokens the server trusts (the `trustedIssuers` option).
 *
 * `issuer` is either an `https` URL, compared exactly with a token's `iss` (GitHub Actions,
 * Kubernetes, a SPIRE OIDC discovery provider, any OpenID provider), or
 * `spiffe://<trust domain>` for JWT-SVIDs presented as
 * draft-ietf-oauth-spiffe-client-auth says (`client_assertion_type` `...:jwt-spiffe`), picked
 * by the trust domain of their `sub`.
 *
 * Keys: `jwks` (a static JWK Set) or `jwksUri`; with neither, the issuer's OpenID Connect
 * discovery document (`<issuer>/.well-known/openid-configuration`) names them. A SPIFFE
 * trust domain needs `jwksUri` (its bundle endpoint) or `jwks`.
 *
 * @example GitHub Actions and a Kubernetes cluster
 * ```ts
 * import type { TrustedIssuer } from "../../mod.ts";
 * const trustedIssuers: TrustedIssuer[] = [
 *   { issuer: "https://token.actions.githubusercontent.com" }, // audience: this server's issuer
 *   {
 *     issuer: "https://oidc.prod-cluster.example.com",
 *     jwksUri: "https://oidc.prod-cluster.example.com/openid/v1/jwks",
 *     allowReuse: true, // a pod presents the same projected token until the kubelet renews it
 *   },
 * ];
 * ```
 */
export interface TrustedIssuer {
  /** The issuer identifier: an `https` URL (`http` on loopback only), or `spiffe://<trust domain>`. */
  issuer: string;
  /** The issuer's public keys, when they are configured rather than fetched. Give `jwks` or `jwksUri`, not both. */
  jwks?: JwkSet;
  /**
   * Where the issuer publishes its JWK Set (for SPIFFE, the trust domain's bundle
   * endpoint); fetched with the cache, cooldown, deadline and size cap of `clientAssertion`.
   * Default: the `jwks_uri` of the issuer's discovery document.
   */
  jwksUri?: string;
  /**
   * The audience its tokens must carry: every value of a token's `aud` must be one of these
   * (an `aud` that also names another party is refused). Default: this server's issuer
   * identifier, as draft-ietf-oauth-rfc7523bis and draft-ietf-oauth-spiffe-client-auth ask.
   * Never accept a platform's default audience that other services also accept (GitHub's
   * default is the repository owner's URL): anyone holding such a token could replay it here.
   */
  audience?: string | readonly string[];
  /** The algorithms its tokens may be signed with; default ES256, ES384, EdDSA, RS256, PS256. */
  algorithms?: readonly JwsAlgorithm[];
  /**
   * The longest lifetime accepted, in seconds: `exp` minus `iat` (or minus now) may not
   * exceed it. Default 600 for GitHub Actions (its tokens live 5 minutes) and 3,600 for
   * every other issuer (a Kubernetes projected token lives an hour by default, 10 minutes
   * at least); at most 86,400.
   */
  maxLifetime?: number;
  /**
   * Whether one token may be presented more than once while it is valid. Default false:
   * each token is accepted once, by its `jti` (remembered in the `replayStore` until it
   * expires), and a token without a `jti` is refused. Set true for platforms that hand a
   * workload one token to reuse: Kubernetes (a pod's projected token is the same file until
   * the kubelet renews it) and SPIFFE (JWT-SVIDs are cached and reused, and have no `jti`).
   * A token stolen from such a workload can then be replayed until it expires.
   */
  allowReuse?: boolean;
  /**
   * What the issuer's assertions are when a client presents one with the JWT bearer grant
   * (RFC 7523 s2.1, the `jwtBearerPolicy` option); it does not change client
   * authentication. `id-jag` (default): Identity Assertion JWT Authorization Grants
   * (draft-ietf-oauth-identity-assertion-authz-grant s3): `typ` `oauth-id-jag+jwt` is
   * required, `aud` is exactly this server's issuer, `client_id` names the client
   * presenting it, `jti` and `iat` are required. `jwt-bearer`: plain RFC 7523 s3
   * assertions, `typ` `JWT` or none. So a platform token meant for client authentication
   * (GitHub's, Kubernetes') is never an authorization grant unless its issuer says so.
   */
  grantProfile?: GrantProfile;
}

/** How the JWT bearer grant reads a trusted issuer's assertions; see {@link TrustedIssuer.grantProfile}. */
export type GrantProfile = "id-jag" | "jwt-bearer";

/** A trusted issuer, validated and ready. */
export interface ResolvedTrustedIssuer {
  /** Exactly as configured. */
  readonly issuer: string;
  /** The SPIFFE trust domain, when the issuer is `spiffe://<trust domain>`. */
  readonly trustDomain: string | undefined;
  readonly audiences: ReadonlySet<string>;
  readonly algorithms: ReadonlySet<JwsAlgorithm>;
  /** Seconds. */
  readonly maxLifetime: number;
  readonly allowReuse: boolean;
  readonly grantProfile: GrantProfile;
  readonly keys: IssuerKeys;
}

/** What resolving the option needs from the server. */
export interface TrustedIssuerContext {
  /** The server's own issuer identifier: the default audience. */
  readonly serverIssuer: string;
  readonly fetch: FetchLike;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly settings: AssertionSettings;
}

/**
 * Every trusted issuer of a server, by issuer identifier and by SPIFFE trust domain.
 *
 * @example
 * ```ts
 * import { resolveTrustedIssuers } from "./trusted_issuer.ts";
 * import { resolveAssertionSettings } from "../client_auth/assertion_options.ts";
 * const issuers = resolveTrustedIssuers([{ issuer: "https://token.actions.githubusercontent.com" }], {
 *   serverIssuer: "https://auth.example.com",
 *   fetch: globalThis.fetch,
 *   clock: Date.now,
 *   settings: resolveAssertionSettings(undefined),
 * });
 * issuers.byIssuer("https://token.actions.githubusercontent.com")?.maxLifetime; // 600
 * ```
 */
export class TrustedIssuerSet {
  readonly #byIssuer: ReadonlyMap<string, ResolvedTrustedIssuer>;
  readonly #byTrustDomain: ReadonlyMap<string, ResolvedTrustedIssuer>;

  constructor(issuers: readonly ResolvedTrustedIssuer[]) {
    this.#byIssuer = new Map(issuers.map((i) => [i.issuer, i]));
    this.#byTrustDomain = new Map(issuers.flatMap((i) => (i.trustDomain === undefined ? [] : [[i.trustDomain, i] as const])));
  }

  /** The issuer trusted for exactly this `iss` (never a SPIFFE trust domain). */
  byIssuer(iss: string): ResolvedTrustedIssuer | undefined {
    const found = this.#byIssuer.get(iss);
    return found?.trustDomain === undefined ? found : undefined;
  }

  /** The SPIFFE trust domain of this name. */
  byTrustDomain(trustDomain: string): ResolvedTrustedIssuer | undefined {
    return this.#byTrustDomain.get(trustDomain);
  }

  /** The issuer configured under this identifier, of either kind. */
  get(issuer: string): ResolvedTrustedIssuer | undefined {
    return this.#byIssuer.get(issuer);
  }

  /** Whether a SPIFFE trust domain is configured. */
  get hasSpiffe(): boolean {
    return this.#byTrustDomain.size > 0;
  }

  /** Every trusted issuer, in configuration order. */
  list(): ResolvedTrustedIssuer[] {
    return [...this.#byIssuer.values()];
  }
}

/** GitHub Actions' issuer on github.com (GitHub's OIDC reference); its tokens live 5 minutes. */
export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";

const DEFAULT_MAX_LIFETIME = 3_600;
const KNOWN_MAX_LIFETIME: Readonly<Record<string, number>> = { [GITHUB_ACTIONS_ISSUER]: 600 };

/** OpenID Connect Discovery s3 (an issuer has no query, no fragment) and RFC 3986 s3.2.1 (no user information in a URL to trust). */
function checkUrl(value: unknown, path: string, allowQuery: boolean): string {
  if (typeof value !== "string") throw problem(path, "must be a string URL");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw problem(path, "is not a URL");
  }
  if (!isHttpsOrLoopback(url)) throw problem(path, "must be an https URL (http is allowed for localhost only)");
  if (url.hash !== "" || value.includes("#")) throw problem(path, "must not have a fragment");
  if (!allowQuery && (url.search !== "" || value.includes("?"))) throw problem(path, "must not have a query");
  if (url.username !== "" || url.password !== "") throw problem(path, "must not carry user information");
  return value;
}

/**
 * The description of a {@link TrustedIssuer}: each member's kind, default and meaning, and
 * that `jwks` and `jwksUri` exclude each other. What depends on the issuer's kind (a SPIFFE
 * trust domain's keys, the default `maxLifetime`) or on the server (its own issuer) is
 * {@link resolveTrustedIssuers}'s.
 *
 * @example
 * ```ts
 * import { trustedIssuerDescription } from "./trusted_issuer.ts";
 * trustedIssuerDescription.maxLifetime.kind; // "integer 1-86400"
 * ```
 */
export const trustedIssuerDescription = {
  issuer: custom<string, { required: true }>("URL or spiffe://<trust domain>", "The issuer identifier, compared exactly with `iss`.", (value, path) => {
    if (typeof value !== "string" || value === "") throw problem(path, "must be a non-empty string");
    if (!value.startsWith("spiffe://")) return checkUrl(value, path, false);
    if (!isTrustDomain(value.slice("spiffe://".length))) {
      throw problem(path, "is not a SPIFFE issuer: spiffe://<trust domain>, of lowercase letters, digits, '.', '-' and '_', no path");
    }
    return value;
  }, { required: true }),
  jwks: custom<JwkSet>("JWK Set", "The issuer's public keys, when configured rather than fetched.", (value, path) => {
    const set = value as { keys?: unknown } | null;
    if (typeof set !== "object" || set === null || !Array.isArray(set.keys)) throw problem(path, "must be a JWK Set ({ keys: [...] })");
    return value as JwkSet;
  }),
  jwksUri: custom<string>("URL", "Where the issuer publishes its JWK Set; default its discovery document's `jwks_uri`.", (value, path) => checkUrl(value, path, true), {
    conflictsWith: { field: "jwks", message: "must not be given with jwks: give jwks or jwksUri, not both" },
  }),
  audience: oneOrMany(
    // A single value is judged by the element: its words cover the list too.
    string("an audience", { nonEmpty: true, message: "must be a non-empty string or a non-empty list of them" }),
    "The audience its tokens must carry.",
    { nonEmpty: true, defaultText: "this server's issuer", message: "must be a non-empty string or a non-empty list of them" },
  ),
  // RFC 8725 s3.1: an issuer's keys are public; a MAC algorithm could never be verified.
  algorithms: arrayOf(
    oneOf("a JWS algorithm", ASYMMETRIC_ALGORITHMS, { message: `must be one of ${ASYMMETRIC_ALGORITHMS.join(", ")}` }),
    "The algorithms its tokens may be signed with.",
    { nonEmpty: true, defaultText: ASYMMETRIC_ALGORITHMS.join(", "), message: `must be a non-empty list of ${ASYMMETRIC_ALGORITHMS.join(", ")}` },
  ),
  maxLifetime: integer("The longest lifetime accepted, seconds.", 1, 86_400, {
    message: "must be an integer from 1 to 86400 (seconds)",
    defaultText: "600 for GitHub Actions, else 3600",
  }),
  allowReuse: boolean("Whether one token may be presented more than once while it is valid.", { default: false }),
  grantProfile: oneOf("What its assertions are with the JWT bearer grant.", ["id-jag", "jwt-bearer"], { default: "id-jag" }),
} satisfies Describes<TrustedIssuer>;

function checkJwks(set: JwkSet, keyUse: string, path: string): Jwk[] {
  let usable = 0;
  for (const [i, key] of (set.keys as unknown[]).entries()) {
    const at = `${path}.keys[${i}]`;
    if (typeof key !== "object" || key === null || typeof (key as Jwk).kty !== "string") throw problem(at, "must be a JWK object (every key in jwks)");
    if (isPrivateJwk(key as Jwk)) throw problem(at, "is private: jwks must hold public keys only (no d, p, q, dp, dq, qi, oth or k)");
    const use = (key as Jwk).use;
    if ((use === undefined || use === keyUse) && algorithmsOfJwk(key as Jwk).some((a) => a !== "HS256")) usable++;
  }
  if (usable === 0) throw problem(path, `has no ${keyUse === "sig" ? "" : `${keyUse} `}key for ES256, ES384, EdDSA, RS256 or PS256`);
  return set.keys as Jwk[];
}

/** `trustedIssuers[0].jwks_uri: unknown option 'jwks_uri' (did you mean 'jwksUri'?)`. */
function refuseUnknown(value: object, path: string): void {
  const known = Object.keys(trustedIssuerDescription);
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    throw problem(`${path}.${key}`, `is not a trusted issuer option: unknown option '${key}'${near === undefined ? "" : ` (did you mean '${near}'?)`}`);
  }
}

function resolveOne(value: TrustedIssuer, path: string, ctx: TrustedIssuerContext): ResolvedTrustedIssuer {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) refuseUnknown(value, path);
  const checked = checkObject(trustedIssuerDescription, value, path);
  const issuer = checked.issuer;
  const trustDomain = issuer.startsWith("spiffe://") ? issuer.slice("spiffe://".length) : undefined;
  // This server's own tokens are not platform tokens: trusting itself would let an access
  // token it issued (or anything signed with its keys) stand in for a client's credential.
  if (issuer === ctx.serverIssuer) throw problem(`${path}.issuer`, "is the server's own issuer, which cannot be a trusted issuer");
  // A SPIFFE bundle endpoint cannot be derived from the trust domain
  // (draft-ietf-oauth-spiffe-client-auth s6.1): it must be configured.
  if (trustDomain !== undefined && checked.jwks === undefined && checked.jwksUri === undefined) {
    throw problem(`${path}.jwksUri`, "is missing: a SPIFFE trust domain needs jwksUri (its bundle endpoint) or jwks");
  }
  const keyUse = trustDomain === undefined ? "sig" : "jwt-svid";
  const jwks = checked.jwks === undefined ? undefined : checkJwks(checked.jwks, keyUse, `${path}.jwks`);
  const audience = checked.audience ?? ctx.serverIssuer;
  const keys = new IssuerKeys(
    jwks !== undefined ? { jwks } : checked.jwksUri !== undefined ? { jwksUri: checked.jwksUri } : { discovery: issuer },
    { fetch: ctx.fetch, clock: ctx.clock, settings: ctx.settings, keyUse },
  );
  return {
    issuer,
    trustDomain,
    audiences: new Set(typeof audience === "string" ? [audience] : audience),
    algorithms: new Set(checked.algorithms ?? ASYMMETRIC_ALGORITHMS),
    maxLifetime: checked.maxLifetime ?? KNOWN_MAX_LIFETIME[issuer] ?? DEFAULT_MAX_LIFETIME,
    allowReuse: checked.allowReuse,
    grantProfile: checked.grantProfile,
    keys,
  };
}

/** The issuer's name after the message, as before paths: `(issuer "https://...")`. */
function named(e: ConfigurationError, value: unknown): ConfigurationError {
  const issuer = (value as { issuer?: unknown } | null)?.issuer;
  if (typeof issuer !== "string" || e.path?.endsWith(".issuer") === true) return e;
  return new ConfigurationError(`${e.message} (issuer ${JSON.stringify(issuer)})`, e.path);
}

/**
 * Validates the `trustedIssuers` option and prepares each issuer (its key cache included).
 * Throws a {@link ConfigurationError} naming the entry: an unknown member, an issuer that is
 * neither an `https` URL without query or fragment nor `spiffe://<trust domain>` (nor the
 * server's own issuer), `jwks`
 * and `jwksUri` both, private or no usable keys, a SPIFFE trust domain without keys, an
 * empty audience, an algorithm other than ES256, ES384, EdDSA, RS256, PS256, a lifetime out
 * of range, or the same issuer twice.
 *
 * @example
 * ```ts
 * import { resolveTrustedIssuers } from "./trusted_issuer.ts";
 * import { resolveAssertionSettings } from "../client_auth/assertion_options.ts";
 * resolveTrustedIssuers([{ issuer: "spiffe://example.org", jwksUri: "https://spire.example.org/bundle" }], {
 *   serverIssuer: "https://auth.example.com",
 *   fetch: globalThis.fetch,
 *   clock: Date.now,
 *   settings: resolveAssertionSettings(undefined),
 * }).hasSpiffe; // true
 * ```
 */
export function resolveTrustedIssuers(list: unknown, ctx: TrustedIssuerContext): TrustedIssuerSet {
  if (!Array.isArray(list)) throw problem("trustedIssuers", "must be an array of trusted issuers");
  const resolved: ResolvedTrustedIssuer[] = [];
  const seen = new Set<string>();
  (list as TrustedIssuer[]).forEach((value, index) => {
    const path = `trustedIssuers[${index}]`;
    let issuer: ResolvedTrustedIssuer;
    try {
      issuer = resolveOne(value, path, ctx);
    } catch (e) {
      throw e instanceof ConfigurationError ? named(e, value) : e;
    }
    if (seen.has(issuer.issuer)) throw problem(`${path}.issuer`, `${JSON.stringify(issuer.issuer)} is listed twice`);
    seen.add(issuer.issuer);
    resolved.push(issuer);
  });
  return new TrustedIssuerSet(resolved);
}
