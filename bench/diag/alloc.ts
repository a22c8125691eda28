// Bytes allocated per request in-process (heap growth across N requests with the young
// generation large enough that no collection runs), for the handlers of variants.ts.
// Usage: deno run -A --v8-flags=--min-semi-space-size=64,--max-semi-space-size=64,--expose-gc bench/diag/alloc.ts lib floor ...
import { variants } from "./variants.ts";
import { AUTHORIZATION, BODY, CONTENT_TYPE, ORIGIN, TOKEN_PATH } from "../fixture.ts";
declare const Deno: { args: string[]; memoryUsage(): { heapUsed: number } };
const N = 500;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
for (const name of Deno.args) {
  const handler = variants[name]!();
  const one = async () => {
    const r = new Request(`${ORIGIN}${TOKEN_PATH}`, { method: "POST", headers: { "content-type": CONTENT_TYPE, authorization: AUTHORIZATION, "content-length": String(BODY.length) }, body: BODY });
    const res = await handler(r);
    await res.text();
  };
  for (let i = 0; i < 5000; i++) await one();
  const req = async () => {
    const r = new Request(`${ORIGIN}${TOKEN_PATH}`, { method: "POST", headers: { "content-type": CONTENT_TYPE, authorization: AUTHORIZATION, "content-length": String(BODY.length) }, body: BODY });
    return r;
  };
  // The cost of building the Request and reading the Response alone, to subtract.
  gc();
  let base = 0;
  {
    const before = Deno.memoryUsage().heapUsed;
    for (let i = 0; i < N; i++) { const r = await req(); await new Response("x").text(); void r; }
    base = (Deno.memoryUsage().heapUsed - before) / N;
  }
  gc();
  const before = Deno.memoryUsage().heapUsed;
  for (let i = 0; i < N; i++) await one();
  const per = (Deno.memoryUsage().heapUsed - before) / N;
  console.log(`${name.padEnd(12)} ${Math.round(per)} B/request (Request + a Response read alone: ${Math.round(base)})`);
}
