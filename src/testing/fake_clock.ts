/**
 * A clock a test moves by hand, so expiry is tested without waiting.
 *
 * @module
 */

import { ConfigurationError } from "../errors.ts";

/**
 * A clock for tests. `now` is what the server's `clock` option and the resource server's
 * `clock` option read (milliseconds since the epoch); `advance` moves it in **seconds**,
 * the unit of every OAuth lifetime (`expires_in`, `exp`, `iat`), so
 * `clock.advance(tokenResponse.expires_in)` lands exactly on the expiry.
 *
 * @example
 * ```ts
 * import { createFakeClock } from "./fake_clock.ts";
 * const clock = createFakeClock(Date.UTC(2026, 0, 1));
 * clock.advance(600); // ten minutes later
 * new Date(clock.now()).toISOString(); // "2026-01-01T00:10:00.000Z"
 * ```
 */
export interface FakeClock {
  /** Milliseconds since the epoch; a bound function, pass it as a `clock` option. */
  readonly now: () => number;
  /** Moves the clock forward by `seconds` (fractions allowed; never backwards). */
  advance(seconds: number): void;
  /** Sets the clock to a time (a `Date` or milliseconds since the epoch), forward or back. */
  set(time: Date | number): void;
}

function milliseconds(time: Date | number): number {
  const ms = time instanceof Date ? time.getTime() : time;
  if (typeof ms !== "number" || !Number.isFinite(ms)) throw new ConfigurationError("a clock time must be a Date or finite milliseconds");
  return ms;
}

/**
 * Creates a {@link FakeClock} that starts at `start` (default: the real time at the call,
 * so tokens it stamps also verify with tools that read the real clock, until it is moved).
 *
 * @example
 * ```ts
 * import { createFakeClock } from "./fake_clock.ts";
 * const clock = createFakeClock();
 * const before = clock.now();
 * clock.advance(1.5);
 * clock.now() - before; // 1500
 * ```
 */
export function createFakeClock(start: Date | number = Date.now()): FakeClock {
  let t = milliseconds(start);
  return Object.freeze({
    now: () => t,
    advance(seconds: number): void {
      // Backwards moves are refused: they hide bugs (a token "issued in the future").
      if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
        throw new ConfigurationError("advance takes a number of seconds, zero or more (use set to go back)");
      }
      t += Math.round(seconds * 1000);
    },
    set(time: Date | number): void {
      t = milliseconds(time);
    },
  });
}
