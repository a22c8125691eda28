// The authorization server on Deno.serve: `deno run --allow-net --allow-env examples/deno.ts`
// (PORT sets the port; 0 picks a free one).
import { createDemo, type Demo } from "./demo.ts";

const port = Number(Deno.env.get("PORT") ?? 8787);
let demo: Demo | undefined;
// Deno hands the peer address to the handler, not to the Request: keep it for callerKey.
const peers = new WeakMap<Request, string>();

const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, (request, info) => {
  if (info.remoteAddr.transport === "tcp") peers.set(request, info.remoteAddr.hostname);
  return demo ? demo.fetch(request) : Promise.resolve(new Response(null, { status: 503 }));
});
demo = await createDemo(`http://127.0.0.1:${server.addr.port}`, (request) => peers.get(request));
console.log(demo.banner("Deno"));
