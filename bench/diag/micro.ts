// A tiny micro-benchmark: median ns per call over batches, interleaved rounds.
export async function micro(cases: Record<string, () => unknown>, { batch = 2000, rounds = 15 } = {}): Promise<Record<string, number>> {
  const names = Object.keys(cases);
  const res: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const n of names) for (let i = 0; i < batch; i++) await cases[n]!();
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const n = names[(k + r) % names.length]!;
      const f = cases[n]!;
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) {
        const v = f();
        if (v instanceof Promise) await v;
      }
      res[n]!.push(((performance.now() - t0) * 1e6) / batch);
    }
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  return Object.fromEntries(names.map((n) => [n, Math.round(med(res[n]!))]));
}
