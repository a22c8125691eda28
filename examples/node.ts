// The authorization server on Node through @hono/node-server, the fastest well-kept fetch
// adapter the benchmark found for this library (bench/RESULTS.md: about 3x srvx and 2.4x a
// plain node:http-to-fetch bridge). `npm start`, or `npx tsx examples/node.ts`; PORT sets
// the port, 0 picks a free one.
import { serve } from "@hono/node-server";
import { createDemo, type Demo } from "./demo.ts";

const port = Number(process.env.PORT ?? 8787);
let demo: Demo | undefined;

serve({
  hostname: "127.0.0.1",
  port,
  fetch: (request: Request) => demo ? demo.fetch(request) : Promise.resolve(new Response(null, { status: 503 })),
}, async (info) => {
  demo = await createDemo(`http://127.0.0.1:${info.port}`);
  console.log(demo.banner("Node"));
});
