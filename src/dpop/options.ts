/**
 * DPoP settings (RFC 9449) shared by the token endpoint and the resource-server helper,
 * validated once and turned into the context the proof checks read.
 *
 * @module
 */

import type { CryptoProvider } from "../crypto/provider.ts";
import { ConfigurationError } from "../errors.ts";
import { ASYMMETRIC_ALGORITHMS, isJwsAlgorithm, type JwsAlgorithm } from "../jose/algorithms.ts";
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

const KNOWN: ReadonlySet<string> = new Set(["algorithms", "required", "maxAge", "clockTolerance", "nonce"]);

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigurationError(`dpop.${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

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
  if (typeof options !== "object" || options === null) throw new ConfigurationError("dpop must be an object (or false)");
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key) && !env.extraKeys?.has(key)) throw new ConfigurationError(`unknown option 'dpop.${key}'`);
  }
  const algorithms = options.algorithms ?? ASYMMETRIC_ALGORITHMS;
  if (
    !Array.isArray(algorithms) || algorithms.length === 0 ||
    !algorithms.every((a) => isJwsAlgorithm(a) && ASYMMETRIC_ALGORITHMS.includes(a))
  ) {
    throw new ConfigurationError(`dpop.algorithms must list asymmetric algorithms among ${ASYMMETRIC_ALGORITHMS.join(", ")} (RFC 9449 s4.3)`);
  }
  if (options.required !== undefined && typeof options.required !== "boolean") throw new ConfigurationError("dpop.required must be a boolean");
  const unique = [...new Set(algorithms)];
  return {
    algorithms: new Set(unique),
    algs: unique.join(" "),
    required: options.required ?? false,
    maxAge: integer("maxAge", options.maxAge, 60, 1, 3_600),
    clockTolerance: integer("clockTolerance", options.clockTolerance, 5, 0, 300),
    nonces: options.nonce === undefined ? undefined : new DpopNonces(options.nonce, env.label, env.clock),
    replayStore: env.replayStore,
    crypto: env.crypto,
    clock: env.clock,
  };
}
