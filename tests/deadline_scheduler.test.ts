import { test } from "node:test";
import assert from "node:assert/strict";
import { type DeadlineClock, deadlines, DeadlineScheduler } from "../src/deadline_scheduler.ts";
import { withDeadline } from "../src/stores/deadline.ts";
import { readForm } from "../src/http/form.ts";
import { OAuthError } from "../src/errors.ts";

/** A clock and timers the test moves by hand; it records every timer armed and cleared. */
class FakeClock implements DeadlineClock {
  time = 0;
  armed = 0;
  cleared = 0;
  readonly timers = new Map<number, { at: number; callback: () => void }>();
  #next = 1;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.timers.set(id, { at: this.time + ms, callback });
    this.armed++;
    return id;
  }

  clearTimeout(timer: unknown): void {
    if (this.timers.delete(timer as number)) this.cleared++;
  }

  /** The due time of the one armed timer (the scheduler never has two). */
  get due(): number | undefined {
    assert.ok(this.timers.size <= 1, "at most one runtime timer is armed");
    for (const { at } of this.timers.values()) return at;
    return undefined;
  }

  /** Moves the clock on by `ms`, firing the timers that come due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let first: [number, { at: number; callback: () => void }] | undefined;
      for (const t of this.timers) if (t[1].at <= end && (first === undefined || t[1].at < first[1].at)) first = t;
      if (first === undefined) break;
      this.timers.delete(first[0]);
      this.time = Math.max(this.time, first[1].at);
      first[1].callback();
    }
    this.time = end;
  }

  /** Fires the armed timer `early` ms before its time, as a runtime's coarse timer may. */
  fireEarly(early: number): void {
    const [id, timer] = [...this.timers][0]!;
    this.timers.delete(id);
    this.time = timer.at - early;
    timer.callback();
  }
}

function setup() {
  const clock = new FakeClock();
  const scheduler = new DeadlineScheduler(clock);
  const expired: string[] = [];
  const at = (name: string) => () => expired.push(`${name}@${clock.time}`);
  return { clock, scheduler, expired, at };
}

test("deadlines of one duration expire in the order they were scheduled, each at its own time, under one timer", () => {
  const { clock, scheduler, expired, at } = setup();
  scheduler.schedule(100, at("a"));
  clock.advance(10);
  scheduler.schedule(100, at("b"));
  clock.advance(10);
  scheduler.schedule(100, at("c"));
  assert.equal(clock.armed, 1, "later deadlines of the same duration do not move the timer");
  assert.equal(clock.due, 100);
  clock.advance(200);
  assert.deepEqual(expired, ["a@100", "b@110", "c@120"]);
  assert.equal(scheduler.pending, 0);
  assert.equal(scheduler.armed, false);
  assert.equal(clock.timers.size, 0);
});

test("mixed timeouts: a shorter deadline scheduled later moves the timer earlier, and each expires at its time", () => {
  const { clock, scheduler, expired, at } = setup();
  scheduler.schedule(1_000, at("long"));
  clock.advance(5);
  scheduler.schedule(100, at("short"));
  assert.equal(clock.due, 105, "the timer now serves the earlier deadline");
  assert.equal(clock.cleared, 1);
  scheduler.schedule(5_000, at("longest"));
  scheduler.schedule(50, at("shortest"));
  assert.equal(clock.due, 55);
  scheduler.schedule(1_000, at("long2"));
  assert.equal(clock.due, 55, "a later deadline leaves it alone");
  clock.advance(10_000);
  assert.deepEqual(expired, ["shortest@55", "short@105", "long@1000", "long2@1005", "longest@5005"]);
  assert.equal(scheduler.armed, false);
});

test("a cancelled deadline never expires; cancelling it again, or after it expired, changes nothing", () => {
  const { clock, scheduler, expired, at } = setup();
  const a = scheduler.schedule(100, at("a"));
  const b = scheduler.schedule(100, at("b"));
  const c = scheduler.schedule(100, at("c"));
  const d = scheduler.schedule(100, at("d"));
  b.cancel();
  assert.equal(scheduler.pending, 3);
  a.cancel();
  d.cancel();
  d.cancel();
  assert.equal(scheduler.pending, 1);
  clock.advance(100);
  assert.deepEqual(expired, ["c@100"]);
  c.cancel();
  assert.equal(scheduler.pending, 0);
  // The scheduler works on after every kind of removal.
  scheduler.schedule(10, at("e"));
  clock.advance(10);
  assert.deepEqual(expired, ["c@100", "e@110"]);
});

test("cancelling the earliest deadline does not re-arm: the timer fires at the old time, finds nothing due, and is armed for the next", () => {
  const { clock, scheduler, expired, at } = setup();
  const first = scheduler.schedule(100, at("first"));
  clock.advance(30);
  scheduler.schedule(100, at("second"));
  first.cancel();
  assert.equal(clock.armed, 1);
  assert.equal(clock.cleared, 0, "no timer churn for a wait that ended");
  clock.advance(70);
  assert.deepEqual(expired, []);
  assert.equal(clock.armed, 2);
  assert.equal(clock.due, 130);
  clock.advance(30);
  assert.deepEqual(expired, ["second@130"]);
});

test("steady traffic with one wait that hangs: the queue holds only the waits in flight, and one timer serves them all", () => {
  const { clock, scheduler, expired, at } = setup();
  scheduler.schedule(10_000, at("hung"));
  for (let i = 0; i < 5_000; i++) {
    clock.advance(1);
    const a = scheduler.schedule(10_000, at(`a${i}`));
    const b = scheduler.schedule(10_000, at(`b${i}`));
    assert.ok(scheduler.pending <= 3);
    b.cancel();
    a.cancel();
  }
  assert.equal(scheduler.pending, 1, "completed waits are gone at once, not when the timer fires");
  assert.equal(clock.armed, 1);
  assert.equal(clock.cleared, 0);
  clock.advance(10_000);
  assert.deepEqual(expired, ["hung@10000"]);
});

test("no timer is armed while nothing is pending, after cancellation or expiry alike", () => {
  const { clock, scheduler } = setup();
  assert.equal(scheduler.armed, false);
  const a = scheduler.schedule(100, () => {});
  const b = scheduler.schedule(200, () => {});
  assert.equal(scheduler.armed, true);
  a.cancel();
  assert.equal(scheduler.armed, true);
  b.cancel();
  assert.equal(scheduler.armed, false);
  assert.equal(clock.timers.size, 0);
  scheduler.schedule(100, () => {});
  clock.advance(100);
  assert.equal(scheduler.armed, false);
  assert.equal(clock.timers.size, 0);
});

test("a deadline never expires early: a timer that fires before the time is armed again for the rest", () => {
  const { clock, scheduler, expired, at } = setup();
  scheduler.schedule(100, at("a"));
  clock.fireEarly(3);
  assert.deepEqual(expired, []);
  assert.equal(scheduler.pending, 1);
  assert.equal(clock.due, 100);
  clock.advance(3);
  assert.deepEqual(expired, ["a@100"]);
  // A fractional deadline is armed rounded up, never down.
  clock.time = 200.25;
  scheduler.schedule(9.5, at("b"));
  assert.equal(clock.due, 210.25, "9.5 ms is armed as 10");
  clock.advance(10);
  assert.deepEqual(expired, ["a@100", "b@210.25"]);
});

test("a deadline scheduled while others expire is served by the timer", () => {
  const { clock, scheduler, expired, at } = setup();
  scheduler.schedule(100, () => {
    expired.push(`a@${clock.time}`);
    scheduler.schedule(10, at("from a"));
  });
  scheduler.schedule(300, at("b"));
  clock.advance(100);
  assert.equal(clock.due, 110);
  clock.advance(1_000);
  assert.deepEqual(expired, ["a@100", "from a@110", "b@300"]);
  assert.equal(scheduler.armed, false);
});

test("a callback that throws does not keep the other due deadlines from expiring", () => {
  const { clock, scheduler, expired, at } = setup();
  scheduler.schedule(10, () => {
    throw new Error("boom");
  });
  scheduler.schedule(10, at("b"));
  clock.advance(10);
  assert.deepEqual(expired, ["b@10"]);
});

test("longer than a runtime timer can wait (2^31 - 1 ms): armed in steps, expiring at its time", () => {
  const { clock, scheduler, expired, at } = setup();
  scheduler.schedule(3_000_000_000, at("far"));
  assert.equal(clock.due, 2_147_483_647);
  clock.advance(2_147_483_647);
  assert.deepEqual(expired, []);
  clock.advance(3_000_000_000 - 2_147_483_647);
  assert.deepEqual(expired, ["far@3000000000"]);
});

test("a zero, negative or NaN duration expires at the next timer turn, as setTimeout reads it", () => {
  const { clock, scheduler, expired, at } = setup();
  scheduler.schedule(0, at("zero"));
  scheduler.schedule(-5, at("negative"));
  scheduler.schedule(Number.NaN, at("nan"));
  assert.equal(clock.due, 0);
  clock.advance(0);
  assert.deepEqual(expired, ["zero@0", "negative@0", "nan@0"]);
});

test("with the runtime's timers: deadlines expire no earlier than their time, in order, and leave no timer behind", async () => {
  const scheduler = new DeadlineScheduler();
  const started = performance.now();
  const times: Array<[string, number]> = [];
  await new Promise<void>((done) => {
    scheduler.schedule(40, () => {
      times.push(["b", performance.now() - started]);
      done();
    });
    scheduler.schedule(20, () => times.push(["a", performance.now() - started]));
    scheduler.schedule(30, () => times.push(["never", 0])).cancel();
  });
  assert.deepEqual(times.map(([n]) => n), ["a", "b"]);
  assert.ok(times[0]![1] >= 20, `a expired at ${times[0]![1]} ms`);
  assert.ok(times[1]![1] >= 40, `b expired at ${times[1]![1]} ms`);
  assert.equal(scheduler.armed, false);
});

/** Counts the runtime timers armed while `body` runs. */
async function countingTimers<T>(body: () => Promise<T>): Promise<{ value: T; armed: number }> {
  const real = globalThis.setTimeout;
  let armed = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    armed++;
    return real(...args);
  }) as typeof setTimeout;
  try {
    return { value: await body(), armed };
  } finally {
    globalThis.setTimeout = real;
  }
}

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

test("concurrent calls into a store that answers with a promise share one timer, and leave none armed", async () => {
  const { value, armed } = await countingTimers(async () => {
    const calls = Array.from({ length: 50 }, (_, i) => withDeadline("token store find", 5_000, () => later(10, i)));
    assert.equal(deadlines.pending, 50);
    return await Promise.all(calls);
  });
  assert.deepEqual(value, Array.from({ length: 50 }, (_, i) => i));
  // One for the deadlines, fifty for the stand-in store's own answers.
  assert.equal(armed, 51);
  assert.equal(deadlines.pending, 0);
  assert.equal(deadlines.armed, false);
});

test("concurrent bodies still arriving share the timer of their deadlines, and a trickled one still gets its 408", async () => {
  const declared = (body: ReadableStream<Uint8Array>) =>
    new Request("https://as.example/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "content-length": "29" },
      body,
      duplex: "half",
    } as RequestInit);
  const arriving = (ms: number) =>
    new ReadableStream<Uint8Array>({
      async pull(c) {
        await later(ms, undefined);
        c.enqueue(new TextEncoder().encode("grant_type=client_credentials"));
        c.close();
      },
    });
  // A body that never arrives, holding no timer of its own.
  const stalled = () => new ReadableStream<Uint8Array>({ pull: () => new Promise<void>(() => {}) });
  const probe = declared(arriving(1));
  if (probe.headers.get("content-length") === null) return; // a runtime that drops the header
  await probe.arrayBuffer();
  const limits = { maxBytes: 8192, timeoutMs: 10_000 };
  const { value, armed } = await countingTimers(() =>
    Promise.all([
      ...Array.from({ length: 20 }, () => readForm(declared(arriving(20)), limits).then((f) => f.get("grant_type"))),
      readForm(declared(stalled()), { ...limits, timeoutMs: 50 }).then(() => "read", (e) =>
        e instanceof OAuthError && e.status === 408 ? "408" : String(e)),
    ])
  );
  assert.deepEqual(value, [...Array(20).fill("client_credentials"), "408"]);
  // Twenty stand-in bodies arm their own timers; the deadlines a few (the first one, the
  // shorter one moving it earlier, and a re-arm for the rest whenever the runtime's timer
  // fires a fraction of a millisecond early), where each of the 21 bodies used to arm one.
  assert.ok(armed <= 20 + 5, `${armed} timers armed`);
  assert.equal(deadlines.pending, 0);
  assert.equal(deadlines.armed, false);
});
