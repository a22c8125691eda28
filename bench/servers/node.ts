// One contender served over HTTP on Node, through a chosen adapter. Prints "LISTENING <port>".
// Usage: tsx servers/node.ts --contender="m2m-oauth, opaque" --adapter=hono|srvx|bridge|node:http
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { contenders, type FetchHandler } from "../contenders/index.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("="))) as Record<string, string>;
const contender = contenders.find((c) => c.name === args.contender);
if (!contender) throw new Error(`no contender ${args.contender}`);
const adapter = args.adapter ?? "node:http";
const hostname = "127.0.0.1";
// Exit cleanly on SIGINT so that --cpu-prof writes its profile.
process.on("SIGINT", () => process.exit(0));

function announce(port: number): void {
  console.log(`LISTENING ${port}`);
}

/** The plain bridge: a full fetch Request from node:http, the Response written back. */
function bridge(handler: FetchHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks);
      const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body });
      const response = await handler(request);
      const out = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, Object.fromEntries(response.headers)).end(out);
    });
  };
}

if (adapter === "node:http") {
  if (!contender.listener) throw new Error(`${contender.name} is not a node:http listener`);
  const server = createServer(await contender.listener()).listen(0, hostname, () => {
    announce((server.address() as { port: number }).port);
  });
} else {
  if (!contender.fetch) throw new Error(`${contender.name} is not a fetch handler`);
  const handler = await contender.fetch();
  if (adapter === "bridge") {
    const server = createServer(bridge(handler)).listen(0, hostname, () => {
      announce((server.address() as { port: number }).port);
    });
  } else if (adapter === "hono") {
    const { serve } = await import("@hono/node-server");
    const server = serve({ fetch: handler, port: 0, hostname }, (info) => announce(info.port));
    void server;
  } else if (adapter === "srvx") {
    const { serve } = await import("srvx");
    const server = serve({ fetch: handler, port: 0, hostname, silent: true });
    await server.ready();
    const address = server.node?.server?.address();
    announce(typeof address === "object" && address !== null ? address.port : 0);
  } else {
    throw new Error(`unknown adapter ${adapter}`);
  }
}
