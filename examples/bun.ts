// The authorization server on Bun.serve: `bun examples/bun.ts` (PORT sets the port; 0 picks a free one).
import { createDemo, type Demo } from "./demo.ts";

declare const Bun: {
  env: Record<string, string | undefined>;
  serve(options: { hostname: string; port: number; fetch(request: Request): Promise<Response> }): {
    port: number;
    requestIP(request: Request): { address: string } | null;
  };
};

const port = Number(Bun.env.PORT ?? 8787);
let demo: Demo | undefined;

const server = Bun.serve({
  hostname: "127.0.0.1",
  port,
  fetch: (request) => demo ? demo.fetch(request) : Promise.resolve(new Response(null, { status: 503 })),
});
// The peer address, for the brute-force guard's per-caller counts.
demo = await createDemo(`http://127.0.0.1:${server.port}`, (request) => server.requestIP(request)?.address);
console.log(demo.banner("Bun"));
