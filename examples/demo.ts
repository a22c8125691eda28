// The demo shared by the runtime examples: one client whose secret is generated at start-up
// and held only as a hash, and a fetch handler that serves the token endpoint at /token.
import {
  type ClientRegistration,
  generateClientSecret,
  handleTokenRequest,
  hashClientSecret,
  type TokenEndpointOptions,
} from "../mod.ts";

export interface Demo {
  /** Answers requests: the token endpoint at /token, 404 elsewhere. */
  fetch(request: Request): Promise<Response>;
  /** What to print once listening: the demo credentials and a ready-to-paste curl. */
  banner(runtime: string): string;
}

/** Builds the demo for a server reachable at `origin` (e.g. http://127.0.0.1:8787). */
export async function createDemo(origin: string): Promise<Demo> {
  const client_id = "demo-client";
  const client_secret = generateClientSecret();
  const registration: ClientRegistration = {
    client_id,
    client_secret_hash: await hashClientSecret(client_secret),
    grant_types: ["client_credentials"],
    scope: "read write",
    default_scope: "read",
  };
  // Created once: the options object is validated on first use and cached by identity.
  const options: TokenEndpointOptions = { issuer: origin, clients: [registration] };
  const notFound = () =>
    new Response(JSON.stringify({ error: "invalid_request", error_description: "not found" }), {
      status: 404,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
    });
  return {
    fetch: (request) => new URL(request.url).pathname === "/token" ? handleTokenRequest(request, options) : Promise.resolve(notFound()),
    banner: (runtime) =>
      [
        `Token server (${runtime}) listening on ${origin}`,
        `Demo client: ${client_id} (secret generated at start-up, stored only as a hash)`,
        `Get a token:`,
        `  curl -s -u '${client_id}:${client_secret}' -d grant_type=client_credentials -d scope=read ${origin}/token`,
      ].join("\n"),
  };
}
