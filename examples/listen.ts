// Shared by the examples that run two servers or more side by side (a token server and an
// API): listen first, learn each port (PORT=0 picks a free one), then plug the handlers in.
// srvx serves on Node, Deno and Bun alike.
import { serve } from "srvx";

export type Handler = (request: Request) => Promise<Response>;

/** A server on 127.0.0.1 that answers 503 until `handle` gives it its handler. */
export async function listen(port: number): Promise<{ origin: string; handle(h: Handler): void }> {
  let handler: Handler = () => Promise.resolve(new Response(null, { status: 503 }));
  const server = serve({ hostname: "127.0.0.1", port, silent: true, fetch: (request) => handler(request) });
  await server.ready();
  return { origin: new URL(server.url!).origin, handle: (h) => void (handler = h) };
}
