// The demo shared by the runtime examples: one client whose secret is generated at start-up
// and held only as a hash, served by createAuthorizationServer: the token endpoint, token
// introspection and revocation, and the metadata document.
import {
  type AuthorizationServer,
  type ClientRegistration,
  createAuthorizationServer,
  generateClientSecret,
  hashClientSecret,
} from "../mod.ts";

export interface Demo {
  /** Answers requests: server.fetch (token, introspect, revoke, metadata; 404 JSON elsewhere). */
  fetch(request: Request): Promise<Response>;
  /** What to print once listening: the demo credentials and ready-to-paste curls. */
  banner(runtime: string): string;
}

/**
 * Builds the demo for a server reachable at `origin` (e.g. http://127.0.0.1:8787).
 * `callerKey` tells the brute-force guard the peer address of each request, which only the
 * runtime's server knows (see each runtime's example).
 */
export async function createDemo(origin: string, callerKey?: (request: Request) => string | undefined): Promise<Demo> {
  const client_id = "demo-client";
  const client_secret = generateClientSecret();
  const registration: ClientRegistration = {
    client_id,
    client_secret_hash: await hashClientSecret(client_secret),
    grant_types: ["client_credentials"],
    scope: "read write",
    default_scope: "read",
  };
  // Options are validated here, once: a mistake throws at start-up.
  const server: AuthorizationServer = createAuthorizationServer({ issuer: origin, clients: [registration], callerKey });
  const { token, introspection, revocation, metadata } = server.endpoints;
  const auth = `-u '${client_id}:${client_secret}'`;
  return {
    fetch: server.fetch,
    banner: (runtime) =>
      [
        `Authorization server (${runtime}) listening on ${origin}`,
        `Demo client: ${client_id} (secret generated at start-up, stored only as a hash)`,
        `Get a token:`,
        `  curl -s ${auth} -d grant_type=client_credentials -d scope=read ${token}`,
        `Introspect it, then revoke it:`,
        `  curl -s ${auth} -d token=ACCESS_TOKEN ${introspection}`,
        `  curl -s ${auth} -d token=ACCESS_TOKEN ${revocation}`,
        `Server metadata (RFC 8414):`,
        `  curl -s ${metadata}`,
      ].join("\n"),
  };
}
