/**
 * One runtime timer for many deadlines. Every bounded wait of the server (a request body's
 * arrival, 408; a call into a pluggable store, 503) is a deadline here, and the runtime sees
 * one `setTimeout`, armed for the earliest pending deadline, instead of one `setTimeout` and
 * one `clearTimeout` per wait. Waits that overlap (concurrent requests on a store that does
 * I/O, bodies trickling in) share it; a server whose waits never overlap (each request's body
 * read before the next one's starts, as Bun.serve and @hono/node-server do under load) still
 * arms one timer per wait, since none may stay armed while nothing is pending.
 *
 * Deadlines are kept in one queue per duration ("lane"). Each caller uses one fixed timeout
 * and the clock only moves forward, so appending keeps a lane in deadline order, and the
 * earliest deadline is the earliest head of a few lanes; mixed timeouts are simply more
 * lanes. Each lane is a doubly linked list, so a deadline whose wait ended is unlinked at
 * once (O(1)): the queue holds the waits in flight and no more, whatever the traffic. The
 * timer is not re-armed when the earliest deadline is cancelled (that would cost what one
 * timer a wait cost): it fires at the old time, finds nothing due, and is armed for the new
 * earliest. It is cleared as soon as nothing is pending, so a process or a test can end.
 *
 * @module
 */

/**
 * What the scheduler needs from its host: a monotonic clock and one-shot timers. Tests hand
 * in a clock they move by hand.
 *
 * @example
 * ```ts
 * import { type DeadlineClock, DeadlineScheduler } from "./deadline_scheduler.ts";
 * const clock: DeadlineClock = {
 *   now: () => performance.now(),
 *   setTimeout: (callback, ms) => setTimeout(callback, ms),
 *   clearTimeout: (timer) => clearTimeout(timer as number),
 * };
 * const deadlines = new DeadlineScheduler(clock);
 * ```
 */
export interface DeadlineClock {
  /** Milliseconds on a monotonic clock (`performance.now()`). */
  now(): number;
  /** Arms a one-shot timer; the value is handed back to `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Disarms a timer armed by `setTimeout`. */
  clearTimeout(timer: unknown): void;
}

/**
 * A pending deadline, as handed out by {@link DeadlineScheduler.schedule}.
 *
 * @example
 * ```ts
 * import { type Deadline, deadlines } from "./deadline_scheduler.ts";
 * const deadline: Deadline = deadlines.schedule(10_000, () => {});
 * deadline.cancel();
 * ```
 */
export interface Deadline {
  /** Drops the deadline, its wait having ended; a no-op once it expired or was cancelled. */
  cancel(): void;
}

/** The deadlines of one duration, oldest (earliest) first. */
class Lane {
  head: Entry | undefined = undefined;
  tail: Entry | undefined = undefined;
  /** Tells the scheduler one of this lane's deadlines was cancelled. */
  constructor(readonly released: () => void) {}
}

class Entry implements Deadline {
  prev: Entry | undefined = undefined;
  next: Entry | undefined = undefined;
  /** Its lane while pending; `undefined` once expired or cancelled. */
  lane: Lane | undefined;
  constructor(lane: Lane, readonly at: number, readonly onExpire: () => void) {
    this.lane = lane;
  }

  cancel(): void {
    const lane = this.lane;
    if (lane === undefined) return;
    unlink(lane, this);
    lane.released();
  }
}

function unlink(lane: Lane, entry: Entry): void {
  const { prev, next } = entry;
  if (prev === undefined) lane.head = next;
  else prev.next = next;
  if (next === undefined) lane.tail = prev;
  else next.prev = prev;
  entry.prev = entry.next = entry.lane = undefined;
}

/** Lanes kept while nothing is pending: the few durations a server uses, not every one ever seen. */
const IDLE_LANES = 8;

/** The longest delay runtimes' timers take (2^31 - 1 ms); a longer one is armed in steps. */
const LONGEST_TIMER = 2_147_483_647;

/**
 * Deadlines sharing one runtime timer. Each is called no earlier than its time (the clock is
 * checked when the timer fires; a timer that fires early is armed again for the rest) and
 * about when a plain `setTimeout` would call it. No timer is armed while nothing is pending.
 *
 * @example
 * ```ts
 * import { DeadlineScheduler } from "./deadline_scheduler.ts";
 * const deadlines = new DeadlineScheduler();
 * const deadline = deadlines.schedule(5_000, () => console.log("too late"));
 * // ... the wait ended in time:
 * deadline.cancel();
 * deadlines.pending; // 0, and no timer is armed
 * ```
 */
export class DeadlineScheduler {
  /** `undefined` for the runtime's, called directly (no indirection on every wait). */
  readonly #clock: DeadlineClock | undefined;
  readonly #lanes = new Map<number, Lane>();
  #pending = 0;
  #timer: unknown = undefined;
  /** The deadline the armed timer serves (clock time); meaningful while `#armed`. */
  #armedAt = 0;
  #armed = false;
  readonly #fire = () => this.#expire();
  readonly #released = () => {
    // A deadline was cancelled: with nothing left pending, the timer goes too.
    if (--this.#pending !== 0) return;
    if (this.#armed) {
      this.#armed = false;
      this.#clearTimer();
      this.#timer = undefined;
    }
    if (this.#lanes.size > IDLE_LANES) this.#lanes.clear();
  };

  /**
   * @param clock the clock and timers to use; by default the runtime's (`performance.now()`,
   * `setTimeout`, `clearTimeout`), looked up at each call, never captured at load, so a host
   * or a test that replaces the globals is obeyed.
   */
  constructor(clock?: DeadlineClock) {
    this.#clock = clock;
  }

  /** How many deadlines are pending (neither expired nor cancelled). */
  get pending(): number {
    return this.#pending;
  }

  /** Whether a runtime timer is armed (exactly when a deadline is pending). */
  get armed(): boolean {
    return this.#armed;
  }

  /**
   * Calls `onExpire` once `ms` milliseconds have passed, unless the returned deadline is
   * cancelled first.
   *
   * @example
   * ```ts
   * import { DeadlineScheduler } from "./deadline_scheduler.ts";
   * const deadlines = new DeadlineScheduler();
   * const answer = new Promise<string>((resolve, reject) => {
   *   const deadline = deadlines.schedule(100, () => reject(new Error("timed out")));
   *   Promise.resolve("ok").then((v) => { deadline.cancel(); resolve(v); });
   * });
   * await answer; // "ok"
   * ```
   */
  schedule(ms: number, onExpire: () => void): Deadline {
    // As setTimeout reads its delay: anything but a positive number is "at once".
    const wait = ms > 0 ? ms : 0;
    let lane = this.#lanes.get(wait);
    if (lane === undefined) {
      lane = new Lane(this.#released);
      this.#lanes.set(wait, lane);
    }
    const now = this.#now();
    const at = now + wait;
    const entry = new Entry(lane, at, onExpire);
    const tail = lane.tail;
    if (tail === undefined) lane.head = entry;
    else {
      tail.next = entry;
      entry.prev = tail;
    }
    lane.tail = entry;
    this.#pending++;
    // Only a deadline earlier than the armed timer (a shorter lane's) moves it.
    if (!this.#armed || at < this.#armedAt) this.#arm(at, now);
    return entry;
  }

  #arm(at: number, now: number): void {
    if (this.#armed) this.#clearTimer();
    // Whole milliseconds, rounded up (a timer is never asked to fire before `at`), and no
    // longer than a timer can wait (past that, runtimes fire at once).
    const delay = Math.min(LONGEST_TIMER, Math.max(0, Math.ceil(at - now)));
    this.#armed = true;
    // The deadline it serves (not its rounded-up time), so the same lane's next deadline,
    // a fraction of a millisecond later, never moves it.
    this.#armedAt = Math.min(at, now + delay);
    const clock = this.#clock;
    this.#timer = clock === undefined ? setTimeout(this.#fire, delay) : clock.setTimeout(this.#fire, delay);
  }

  #now(): number {
    const clock = this.#clock;
    return clock === undefined ? performance.now() : clock.now();
  }

  #clearTimer(): void {
    const clock = this.#clock;
    if (clock === undefined) clearTimeout(this.#timer as ReturnType<typeof setTimeout>);
    else clock.clearTimeout(this.#timer);
  }

  #expire(): void {
    this.#armed = false;
    this.#timer = undefined;
    const now = this.#now();
    const due: Entry[] = [];
    let earliest = Infinity;
    for (const [ms, lane] of this.#lanes) {
      let head = lane.head;
      while (head !== undefined && head.at <= now) {
        const next = head.next;
        unlink(lane, head);
        due.push(head);
        head = next;
      }
      if (head === undefined) this.#lanes.delete(ms);
      else if (head.at < earliest) earliest = head.at;
    }
    this.#pending -= due.length;
    // Armed again before any callback runs, so one that schedules a deadline finds the timer
    // in its true state.
    if (this.#pending !== 0) this.#arm(earliest, now);
    for (const entry of due) {
      try {
        entry.onExpire();
      } catch {
        // One failing callback must not cost the others their expiry; ours only reject.
      }
    }
  }
}

/**
 * The scheduler the server's deadlines share (body reading, store calls).
 *
 * @example
 * ```ts
 * import { deadlines } from "./deadline_scheduler.ts";
 * const deadline = deadlines.schedule(10_000, () => {});
 * deadline.cancel();
 * ```
 */
export const deadlines: DeadlineScheduler = new DeadlineScheduler();
