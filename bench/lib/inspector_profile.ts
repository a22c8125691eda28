// A CPU profile of a server that exposes the V8 inspector (`deno run --inspect`), taken over
// the Chrome DevTools Protocol while the load generator runs: Deno has no --cpu-prof flag.
// Needs a global WebSocket (Node 22, or Node 20 with --experimental-websocket).
import { writeFileSync } from "node:fs";

export async function profileOverInspector(wsUrl: string, during: () => Promise<unknown>, file: string, intervalUs = 1000): Promise<void> {
  const WS = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
  if (!WS) throw new Error("no global WebSocket (run node with --experimental-websocket)");
  const ws = new WS(wsUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let id = 0;
  const pending = new Map<number, (result: unknown) => void>();
  ws.onmessage = (m) => {
    const msg = JSON.parse(String(m.data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  };
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      const n = ++id;
      pending.set(n, resolve);
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: intervalUs });
  await call("Profiler.start");
  await during();
  const { profile } = (await call("Profiler.stop")) as { profile: unknown };
  ws.close();
  writeFileSync(file, JSON.stringify(profile));
}
