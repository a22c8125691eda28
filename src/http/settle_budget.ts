/**
 * How many microtask turns a declared request body is given to settle before its read gets a
 * deadline, learned from the bodies this process has read.
 *
 * Some hosts hand the handler a body they already hold: Deno.serve, and Requests built in
 * process on Node, settle `arrayBuffer()` within two to eight turns, and then no deadline (no
 * runtime timer) is needed. Others never do: `@hono/node-server`'s bodies took more than 50
 * turns (they settled after one macrotask), Bun.serve's more than its three, so the turns spent
 * waiting are lost on every request (about 7,000 instructions a request on `@hono/node-server`,
 * 5% of the floor's whole request; bench/ANALYSIS.md). A budget that sees a run of reads miss
 * stops spending the turns, and probes now and then with the full count, so a process that
 * starts reading held bodies gets its turns back. The budget changes what a read costs, never what it answers: a read that is not given
 * the turns is raced against the same deadline, which is what every read still arriving gets.
 *
 * @module
 */

/** Consecutive reads that missed the full budget before the turns are no longer spent. */
export const MISSES_BEFORE_SKIPPING = 16;

/** While skipping, every this-many-th read is given the full budget, to see if it settles. */
export const PROBE_EVERY = 128;

/**
 * The turns given to each declared body read, and what the reads showed.
 *
 * @example
 * ```ts
 * import { SettleBudget } from "./settle_budget.ts";
 * const budget = new SettleBudget(10);
 * for (let i = 0; i < 16; i++) {
 *   const given = budget.turns(); // 10
 *   budget.record(given, false); // did not settle within them
 * }
 * budget.turns(); // 0: straight to the deadline
 * ```
 */
export class SettleBudget {
  readonly #full: number;
  #misses = 0;
  #skipping = false;
  #sinceProbe = 0;

  /** @param full the turns given while reads settle within them */
  constructor(full: number) {
    this.#full = full;
  }

  /** Whether reads currently go straight to the deadline. */
  get skipping(): boolean {
    return this.#skipping;
  }

  /** The turns to give the next read; hand them back to {@link record} with what happened. */
  turns(): number {
    if (!this.#skipping) return this.#full;
    if (++this.#sinceProbe >= PROBE_EVERY) {
      this.#sinceProbe = 0;
      return this.#full;
    }
    return 0;
  }

  /**
   * Records whether a read settled within the `given` turns {@link turns} handed out for it.
   * Reads overlap, so each brings its own count; one given no turns tells nothing.
   */
  record(given: number, settled: boolean): void {
    if (given === 0) return;
    if (settled) {
      this.#misses = 0;
      this.#skipping = false;
      return;
    }
    if (!this.#skipping && ++this.#misses >= MISSES_BEFORE_SKIPPING) {
      this.#skipping = true;
      this.#sinceProbe = 0;
    }
  }

  /** Back to the full budget, as a new process starts (for tests). */
  reset(): void {
    this.#misses = 0;
    this.#skipping = false;
    this.#sinceProbe = 0;
  }
}
