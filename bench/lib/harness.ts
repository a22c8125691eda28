// A small timing harness: run an operation for a fixed time, sequentially or with N in
// flight, and report operations per second. Rounds are interleaved by the callers and
// summarised by the median.

/** Milliseconds, monotonic. */
export const now = (): number => performance.now();

/**
 * Runs `op` repeatedly for `ms` milliseconds with `concurrency` calls in flight (1 =
 * sequential) and returns completed operations per second.
 */
export async function opsPerSecond(op: () => Promise<unknown>, ms: number, concurrency = 1): Promise<number> {
  let count = 0;
  const start = now();
  const deadline = start + ms;
  async function worker(): Promise<void> {
    // Check the clock every 16 operations: reading it costs more than a floor request on some runtimes.
    for (;;) {
      for (let i = 0; i < 16; i++) await op();
      count += 16;
      if (now() >= deadline) return;
    }
  }
  const workers: Promise<void>[] = [];
  for (let i = 0; i < concurrency; i++) workers.push(worker());
  await Promise.all(workers);
  return (count * 1000) / (now() - start);
}

type CpuUsage = { user: number; system: number };
const cpuUsage = (globalThis as { process?: { cpuUsage?: (previous?: CpuUsage) => CpuUsage } }).process?.cpuUsage;

/**
 * Like {@link opsPerSecond}, and also the CPU time of the whole process (every thread: a
 * WebCrypto signature runs on Node's thread pool) per operation, in µs. CPU time is what
 * an operation costs; on a shared machine it moves much less than wall time does.
 */
export async function measureOps(op: () => Promise<unknown>, ms: number, concurrency = 1): Promise<{ opsPerSecond: number; cpuUs?: number }> {
  let count = 0;
  const counted = async () => {
    await op();
    count++;
  };
  const before = cpuUsage?.();
  const rate = await opsPerSecond(counted, ms, concurrency);
  if (before === undefined || cpuUsage === undefined || count === 0) return { opsPerSecond: rate };
  const used = cpuUsage(before);
  return { opsPerSecond: rate, cpuUs: (used.user + used.system) / count };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Formats a number with thousands separators and no decimals. */
export function fmt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "—";
  return Math.round(n).toLocaleString("en-US");
}

export function ratio(n: number | undefined, d: number | undefined): string {
  if (n === undefined || d === undefined || !Number.isFinite(n) || !Number.isFinite(d) || d === 0) return "—";
  return `${(n / d).toFixed(2)}x`;
}
