// In-process cost of the Response shapes jsonResponse could use (ns per call, medians).
// Usage: deno run -A bench/diag/micro_resp.ts | bun bench/diag/micro_resp.ts | tsx bench/diag/micro_resp.ts
import { micro } from "./micro.ts";
const OBJ = { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" };
const ARR: [string, string][] = [["content-type", "application/json"], ["cache-control", "no-store"], ["pragma", "no-cache"]];
const body = () => JSON.stringify({ access_token: "abcdefghijabcdefghijabcdefghijabcdefghij123", token_type: "Bearer", expires_in: 600, scope: "read" });
const cases: Record<string, () => unknown> = {
  "obj": () => new Response(body(), { status: 200, headers: OBJ }),
  "after-set": () => { const r = new Response(body(), { status: 200 }); const h = r.headers; h.set("content-type", "application/json"); h.set("cache-control", "no-store"); h.set("pragma", "no-cache"); return r; },
  "array": () => new Response(body(), { status: 200, headers: ARR }),
  "new Headers(obj)": () => new Response(body(), { status: 200, headers: new Headers(OBJ) }),
  "obj + text": () => new Response(body(), { status: 200, headers: OBJ }).text(),
  "after-set + text": () => { const r = new Response(body(), { status: 200 }); const h = r.headers; h.set("content-type", "application/json"); h.set("cache-control", "no-store"); h.set("pragma", "no-cache"); return r.text(); },
  "array + text": () => new Response(body(), { status: 200, headers: ARR }).text(),
};


console.log(JSON.stringify(await micro(cases)));
