// One fetch contender served by Bun.serve. Prints "LISTENING <port>".
// Usage: bun servers/bun.ts --contender="m2m-oauth, opaque"
import { contenders } from "../contenders/index.ts";

declare const Bun: {
  argv: string[];
  serve(options: { hostname: string; port: number; fetch(r: Request): Promise<Response> }): { port: number };
};
const args = Object.fromEntries(Bun.argv.slice(2).map((a) => a.replace(/^--/, "").split("="))) as Record<string, string>;
const contender = contenders.find((c) => c.name === args.contender);
if (!contender?.fetch) throw new Error(`no fetch contender ${args.contender}`);
const handler = await contender.fetch();
// Exit cleanly on SIGINT so that --cpu-prof writes its profile.
(globalThis as unknown as { process: { on(s: string, f: () => void): void; exit(c: number): void } }).process.on("SIGINT", () =>
  (globalThis as unknown as { process: { exit(c: number): void } }).process.exit(0));
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handler });
console.log(`LISTENING ${server.port}`);
