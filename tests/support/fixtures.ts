// The suite's fixtures, on the public testing export (`m2m-oauth/testing`, src/testing/mod.ts):
// one fake clock for every test, the public `createFakeClock` (milliseconds out, `advance`
// in seconds), started at one fixed instant so that recorded times read the same.
import { createFakeClock, type FakeClock } from "../../src/testing/mod.ts";

export type { FakeClock };

/** The instant every fake clock starts at unless a test says otherwise: 2026-11-25 12:00 UTC. */
export const START = Date.UTC(2026, 10, 25, 12, 0, 0);

/** A fake clock a test can move: `now()` in milliseconds, `advance(seconds)`, `set(time)`. */
export function fakeClock(start: Date | number = START): FakeClock {
  return createFakeClock(start);
}
