// The authorization server on Node through srvx, a maintained fetch adapter (`npm start`, or
// `npx tsx examples/node.ts`; PORT sets the port, 0 picks a free one).
import { serve, type ServerRequest } from "srvx";
import { createDemo, type Demo } from "./demo.ts";

const port = Number(process.env.PORT ?? 8787);
let demo: Demo | undefined;

const server = serve({
  hostname: "127.0.0.1",
  port,
  silent: true,
  fetch: (request) => demo ? demo.fetch(request) : Promise.resolve(new Response(null, { status: 503 })),
});
await server.ready();
const address = server.node?.server?.address();
const actualPort = typeof address === "object" && address !== null ? address.port : port;
// srvx puts the peer address on the request, for the brute-force guard's per-caller counts.
demo = await createDemo(`http://127.0.0.1:${actualPort}`, (request) => (request as ServerRequest).ip);
console.log(demo.banner("Node"));
