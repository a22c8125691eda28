/// <reference lib="deno.unstable" />
// A token server on Deno.serve that keeps its clients and tokens in Deno KV, so several
// instances (on Deno Deploy, or processes sharing a KV file) act as one server:
//   deno run --unstable-kv --allow-net --allow-env --allow-read --allow-write examples/deno_kv.ts
// KV_PATH picks the KV file (default: Deno's own location); PORT sets the port (0: a free one).
import { DenoKvAttemptStore, DenoKvClientStore, type DenoKvLike, DenoKvTokenStore } from "../src/stores/deno_kv/mod.ts";
import { generateClientSecret, handleTokenRequest, hashClientSecret, type TokenEndpointOptions } from "../mod.ts";

// Deno.Kv is a DenoKvLike as it is; the library never names the Deno namespace.
const kv: DenoKvLike = await Deno.openKv(Deno.env.get("KV_PATH"));
const clients = new DenoKvClientStore(kv);
const tokenStore = new DenoKvTokenStore(kv);
// Failed client authentications are counted in KV too, so every instance sees every guess.
const attempts = new DenoKvAttemptStore(kv);

// Provisioning, done here at start-up for the demo: the secret is printed once and stored only as a hash.
const client_id = "demo-client";
const client_secret = generateClientSecret();
await clients.saveClient({
  client_id,
  client_secret_hash: await hashClientSecret(client_secret),
  grant_types: ["client_credentials"],
  scope: "read write",
  default_scope: "read",
});

const port = Number(Deno.env.get("PORT") ?? 8787);
let options: TokenEndpointOptions | undefined;
const server = Deno.serve(
  { hostname: "127.0.0.1", port, onListen: () => {} },
  (request) =>
    options && new URL(request.url).pathname === "/token"
      ? handleTokenRequest(request, options)
      : Promise.resolve(new Response(null, { status: 404 })),
);
const origin = `http://127.0.0.1:${server.addr.port}`;
options = { issuer: origin, clients, tokenStore, bruteForce: { store: attempts } };
console.log([
  `Token server (Deno, state in Deno KV) listening on ${origin}`,
  `Demo client: ${client_id} (secret generated at start-up, stored in KV only as a hash)`,
  `Get a token:`,
  `  curl -s -u '${client_id}:${client_secret}' -d grant_type=client_credentials -d scope=read ${origin}/token`,
].join("\n"));
