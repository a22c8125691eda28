import { variants } from "./variants.ts";
declare const Bun: { argv: string[]; serve(o: { hostname: string; port: number; fetch(r: Request): Promise<Response> }): { port: number } };
const v = Bun.argv[2]!;
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: variants[v]!() });
console.log(`LISTENING ${server.port}`);
