// The authorization server on Node through @hono/node-server, the fastest well-kept fetch
// adapter the benchmark found for this library (bench/RESULTS.md: about 3.5x srvx and 2.6x a
// plain node:http-to-fetch bridge). `npm start`, or `npx tsx examples/node.ts`; PORT sets
// the port, 0 picks a free one.
import { type HttpBindings, type Http2Bindings, serve } from "@hono/node-server";
import { createDemo, type Demo } from "./demo.ts";

const port = Number(process.env.PORT ?? 8787);
let demo: Demo | undefined;
// The adapter hands the Node request (and its socket) to the handler, not to the Request:
// keep the peer address for the brute-force guard's per-caller counts (callerKey).
const peers = new WeakMap<Request, string>();

serve({
  hostname: "127.0.0.1",
  port,
  fetch: (request: Request, env: HttpBindings | Http2Bindings) => {
    const address = env.incoming.socket.remoteAddress;
    if (address !== undefined) peers.set(request, address);
    return demo ? demo.fetch(request) : Promise.resolve(new Response(null, { status: 503 }));
  },
}, async (info) => {
  demo = await createDemo(`http://127.0.0.1:${info.port}`, (request) => peers.get(request));
  console.log(demo.banner("Node"));
});
