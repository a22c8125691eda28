/**
 * DPoP settings (RFC 9449) shared by the token endpoint and the resource-server helper,
 * validated once and turned into the context the proof checks read.
 *
 * @module
 */

import type { CryptoProvider } from "../crypto/provider.ts";
import {
  arrayOf,
  boolean,
  type Checked,
  checkObject,
  custom,
  type Describes,
  type Description,
  integer,
  objectOf,
  oneOf,
  problem,
} from "../config/describe.ts";
import { ASYMMETRIC_ALGORITHMS, type JwsAlgorithm } from "../jose/algorithms.ts";
import type { ReplayStore } from "../stores/replay_store.ts";
import { type DpopNonceOptions, DpopNonces } from "./nonce.ts";

/**
 * How DPoP proofs are checked (RFC 9449 s4.3) and when they are required.
 *
 * @example
 * ```ts
 * import type { DpopOptions } from "./options.ts";
 * const dpop: DpopOptions = {
 *   algorithms: ["ES256", "EdDSA"],
 *   required: true,
 *   maxAge: 60,
 *   nonce: { secret: "c2VjcmV0LWtleS1vZi0zMi1ieXRlcy1vci1tb3JlLi4u" },
 * };
 * ```
 */
export interface DpopOptions {
  /**
   * The proof algorithms accepted, advertised as `dpop_signing_alg_values_supported`
   * (s5.1). Default: ES256, ES384, EdDSA, RS256, PS256. Asymmetric only: HS256 is refused
   * (s4.3 item 5).
   */
  algorithms?: readonly JwsAlgorithm[];
  /**
   * Require a proof on every request: a request without one is refused
   * (`invalid_dpop_proof` at the token endpoint). Default false; a client registered with
   * `dpop_bound_access_tokens: true` always needs one (s5.2).
   */
  required?: boolean;
  /** How old a proof's `iat` may be, in seconds; default 60, from 1 to 3,600 (s4.3 item 11, s11.1). */
  maxAge?: number;
  /** How far ahead of this server's clock a proof's `iat` may be, in seconds; default 5, at most 300. */
  clockTolerance?: number;
  /** Require server-provided nonces (s8, s9); see {@link DpopNonceOptions}. Default: none. */
  nonce?: DpopNonceOptions;
}

/** The prepared form of {@link DpopOptions}. */
export interface DpopContext {
  readonly algorithms: ReadonlySet<string>;
  /** The accepted algorithms, space-separated, as challenges list them (`algs`, s7.1). */
  readonly algs: string;
  readonly required: boolean;
  readonly maxAge: number;
  readonly clockTolerance: number;
  readonly nonces: DpopNonces | undefined;
  readonly replayStore: ReplayStore;
  readonly crypto: CryptoProvider;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
}

const encoder = new TextEncoder();

/** The nonce secret: at least 32 bytes, or a string of at least 32 characters (RFC 9449 s8 leaves the nonce to the server; ours is an HMAC). */
const nonceSecret = custom<string | Uint8Array, { required: true }>("string or Uint8Array", "The key the nonces are computed with (at least 32 bytes); share it, keep it secret.", (value, path) => {
  const bytes = typeof value === "string" ? encoder.encode(value) : value;
  if (!(bytes instanceof Uint8Array) || bytes.length < 32) throw problem(path, "must be at least 32 bytes (or 32 characters)");
  return value as string | Uint8Array;
}, { required: true });


/**
 * The description of {@link DpopOptions} (the `dpop` option, of the token endpoint and of
 * the resource server): each member's kind, default and meaning.
 *
 * @example
 * ```ts
 * import { dpopDescription } from "./options.ts";
 * dpopDescription.maxAge.kind; // "integer 1-3600"
 * ```
 */
export const dpopDescription = {
  // RFC 9449 s4.3 item 5: a proof is signed with an asymmetric algorithm, never a MAC.
  algorithms: arrayOf(
    oneOf("a JWS algorithm", ASYMMETRIC_ALGORITHMS, {
      message: `must be an asymmetric algorithm among ${ASYMMETRIC_ALGORITHMS.join(", ")} (RFC 9449 s4.3)`,
    }),
    "The proof algorithms accepted (`dpop_signing_alg_values_supported`).",
    {
      nonEmpty: true,
      defaultText: ASYMMETRIC_ALGORITHMS.join(", "),
      message: `must list asymmetric algorithms among ${ASYMMETRIC_ALGORITHMS.join(", ")} (RFC 9449 s4.3)`,
    },
  ),
  required: boolean("Require a proof on every request.", { default: false }),
  maxAge: integer("How old a proof's `iat` may be, seconds (RFC 9449 s11.1).", 1, 3_600, { default: 60 }),
  clockTolerance: integer("How far ahead of this server's clock a proof's `iat` may be, seconds.", 0, 300, { default: 5 }),
  nonce: objectOf({
    secret: nonceSecret,
    windowSeconds: integer("Length of a nonce window, seconds.", 10, 86_400, { default: 300 }),
  } satisfies Describes<DpopNonceOptions>, "Require server-provided nonces (RFC 9449 s8, s9)."),
} satisfies Describes<DpopOptions>;

/** What the DPoP settings need from the server they belong to. */
export interface DpopEnvironment {
  /** Names the server's nonces (the token endpoint URL, or the resource), so they are its own. */
  readonly label: string;
  readonly replayStore: ReplayStore;
  readonly crypto: CryptoProvider;
  readonly clock: () => number;
  /** Option names besides {@link DpopOptions}' that the caller validates itself. */
  readonly extraKeys?: ReadonlySet<string>;
}

/**
 * Validates DPoP options (a misspelt member, HS256 or an unknown algorithm, a number out of
 * range, a short nonce secret: each a `ConfigurationError`) and prepares the context.
 *
 * @example
 * ```ts
 * import { resolveDpopOptions } from "./options.ts";
 * import { MemoryReplayStore } from "../stores/replay_store.ts";
 * import { webCrypto } from "../crypto/provider.ts";
 * const ctx = resolveDpopOptions({ maxAge: 30 }, {
 *   label: "https://as.example.com/token", replayStore: new MemoryReplayStore(), crypto: webCrypto, clock: Date.now,
 * });
 * ctx.algs; // "ES256 ES384 EdDSA RS256 PS256"
 * ```
 */
export function resolveDpopOptions(options: DpopOptions, env: DpopEnvironment): DpopContext {
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw problem("dpop", "must be an object (or false)");
  // A caller's own members (the resource server's `origin`) are known here, and its to check.
  const description: Description = env.extraKeys === undefined
    ? dpopDescription
    : { ...dpopDescription, ...Object.fromEntries([...env.extraKeys].map((key) => [key, custom(key, key, (v) => v)])) };
  const checked = checkObject(description, options, "dpop") as Checked<typeof dpopDescription>;
  const unique = [...new Set(checked.algorithms ?? ASYMMETRIC_ALGORITHMS)];
  return {
    algorithms: new Set(unique),
    algs: unique.join(" "),
    required: checked.required,
    maxAge: checked.maxAge,
    clockTolerance: checked.clockTolerance,
    nonces: options.nonce === undefined ? undefined : new DpopNonces(options.nonce, env.label, env.clock),
    replayStore: env.replayStore,
    crypto: env.crypto,
    clock: env.clock,
  };
}
