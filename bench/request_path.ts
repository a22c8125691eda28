// The library's own CPU per token request, without the fetch objects' cost: each request is
// a light stand-in (method, url, a Headers, a body already in memory: what @hono/node-server
// hands a handler) and the Response's body is not read. Interleaved with the floor on the
// same stand-in, medians, like ab.ts: the extra is the library's request path alone, with
// less noise than a full Request gives. Also the workload to profile:
//   node --cpu-prof --import tsx bench/request_path.ts --only=lib --rounds=1 --ms=4000
// With --base=DIR (a copy of another commit's mod.ts and src/, e.g. from `git archive`), the
// rows base and base-noguard are that copy: before and after of a change in one process.
// The -caller rows set a `callerKey` (one fixed caller, as a deployment behind one proxy
// address would see): the guard then keeps five keys per attempt rather than one.
// Usage: request_path.ts [--ms=300] [--rounds=7] [--only=floor|lib|lib-noguard|lib-caller|base|base-noguard|base-caller] [--base=DIR]
import { floorFetch } from "./contenders/floor.ts";
import { libraryFetch } from "./contenders/library.ts";
import { AUTHORIZATION, BODY, CONTENT_TYPE, TOKEN_URL } from "./fixture.ts";
import { measureOps, median } from "./lib/harness.ts";
import { runtime } from "./contenders/index.ts";

const argv = (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const args = Object.fromEntries(argv.map((a) => a.replace(/^--/, "").split("="))) as Record<string, string>;
const MS = Number(args.ms ?? 300);
const ROUNDS = Number(args.rounds ?? 7);

const bodyBytes = new TextEncoder().encode(BODY);
const headers = new Headers({ "content-type": CONTENT_TYPE, "content-length": String(bodyBytes.length), authorization: AUTHORIZATION });

/**
 * A request as a light adapter gives it: the body already read, nothing streamed. A class,
 * so a request makes no closures (under tsx each closure costs a `__name` call).
 */
class LightRequest {
  readonly method = "POST";
  readonly url = TOKEN_URL;
  readonly headers = headers;
  readonly body = null;
  arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.resolve(bodyBytes.slice().buffer);
  }
  text(): Promise<string> {
    return Promise.resolve(BODY);
  }
}
const lightRequest = () => new LightRequest() as unknown as Request;

type Handler = (request: Request) => Promise<Response>;
type Library = Pick<typeof import("../mod.ts"), "handleTokenRequest" | "MemoryTokenStore">;
/** The bench's library contender on another copy of the library. */
function handlerOf(lib: Library, overrides: Record<string, unknown>): Handler {
  const { options } = libraryFetch(overrides);
  const ours = {
    ...options,
    tokenStore: new lib.MemoryTokenStore({ maxEntries: 2_000_000, maxEntriesPerClient: 2_000_000 }),
  } as Parameters<Library["handleTokenRequest"]>[1];
  return (request) => lib.handleTokenRequest(request, ours);
}
/** The caller every request of the -caller rows comes from. */
const CALLER_KEY = (): string => "203.0.113.7";
const base: Library | undefined = args.base === undefined
  ? undefined
  : await import(new URL(`file://${args.base.replace(/\/$/, "")}/mod.ts`).href);
const makers: Record<string, () => Handler> = {
  floor: () => floorFetch,
  lib: () => libraryFetch().fetch,
  "lib-noguard": () => libraryFetch({ bruteForce: false }).fetch,
  "lib-caller": () => libraryFetch({ callerKey: CALLER_KEY }).fetch,
  base: () => handlerOf(base!, {}),
  "base-noguard": () => handlerOf(base!, { bruteForce: false }),
  "base-caller": () => handlerOf(base!, { callerKey: CALLER_KEY }),
};
const names = (args.only ?? "floor|lib").split("|");
const cpu: number[][] = names.map(() => []);
const measureOne = async (i: number) => {
  const handler = makers[names[i]!]!();
  return measureOps(async () => {
    const response = await handler(lightRequest());
    if (response.status !== 200) throw new Error(`${names[i]}: ${response.status} ${await response.text()}`);
  }, MS);
};
for (let i = 0; i < names.length; i++) await measureOne(i);
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < names.length; k++) {
    const i = (k + r) % names.length;
    cpu[i]!.push((await measureOne(i)).cpuUs ?? NaN);
  }
}
const first = median(cpu[0]!);
console.log(JSON.stringify({
  runtime,
  cpuUs: Object.fromEntries(names.map((n, i) => [n, +median(cpu[i]!).toFixed(2)])),
  extraUs: Object.fromEntries(names.map((n, i) => [n, +(median(cpu[i]!) - first).toFixed(2)])),
}));
