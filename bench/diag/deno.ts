import { variants } from "./variants.ts";
declare const Deno: { args: string[]; serve(o: { hostname: string; port: number; onListen(a: { port: number }): void }, h: (r: Request) => Promise<Response>): unknown };
Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(`LISTENING ${port}`) }, variants[Deno.args[0]!]!());
