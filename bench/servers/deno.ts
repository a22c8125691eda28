// One fetch contender served by Deno.serve. Prints "LISTENING <port>".
// Usage: deno run -A servers/deno.ts --contender="m2m-oauth, opaque"
import { contenders } from "../contenders/index.ts";

declare const Deno: {
  args: string[];
  serve(options: { hostname: string; port: number; onListen(addr: { port: number }): void }, handler: (r: Request) => Promise<Response>): unknown;
};
const args = Object.fromEntries(Deno.args.map((a) => a.replace(/^--/, "").split("="))) as Record<string, string>;
const contender = contenders.find((c) => c.name === args.contender);
if (!contender?.fetch) throw new Error(`no fetch contender ${args.contender}`);
const handler = await contender.fetch();
Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(`LISTENING ${port}`) }, handler);
