// Workload identity federation end to end, on loopback: a CI platform (a stand-in for
// GitHub Actions' OIDC provider), this library's token server trusting it, and an API
// guarded by verifyAccessToken. Runs on Node, Deno and Bun:
//
//   npx tsx examples/federation/main.ts
//   deno run --allow-net --allow-env --allow-read examples/federation/main.ts
//   bun examples/federation/main.ts
//
// PLATFORM_PORT, PORT and API_PORT set the ports (0 picks free ones). It prints the
// command that runs the CI job (examples/federation/ci_job.ts): once as a job of
// octo-org/octo-repo on main in the production environment, which gets a token and deploys,
// and once as a job of the same repository on another branch, which is refused.
import { createAuthorizationServer, generateSigningKey, KeySet } from "../../mod.ts";
import { type ResourceServerOptions, verifyAccessToken } from "../../src/resource_server/mod.ts";
import { listen } from "../listen.ts";
import { env } from "./env.ts";
import { createPlatform, type Job } from "./platform.ts";

const port = (name: string, fallback: number) => Number(env(name) ?? fallback);
const platform = await listen(port("PLATFORM_PORT", 8790));
const auth = await listen(port("PORT", 8787));
const api = await listen(port("API_PORT", 8788));

// --- The CI platform: two running jobs, known by their request tokens --------------------
const deployJob: Job = { repository: "octo-org/octo-repo", ref: "refs/heads/main", environment: "production", workflow: ".github/workflows/deploy.yml" };
const featureJob: Job = { ...deployJob, ref: "refs/heads/feature", environment: undefined };
const requestTokens = { deploy: crypto.randomUUID(), feature: crypto.randomUUID() };
platform.handle(await createPlatform(platform.origin, new Map([[requestTokens.deploy, deployJob], [requestTokens.feature, featureJob]])));

// --- The token server: trusts the platform, and knows which of its jobs is "deploy" ------
const authorizationServer = createAuthorizationServer({
  issuer: auth.origin,
  accessTokenFormat: "jwt",
  signingKeys: new KeySet({ active: await generateSigningKey("ES256") }),
  // Keys from the platform's discovery document; tokens must name this server as audience.
  trustedIssuers: [{ issuer: platform.origin }],
  clients: [{
    client_id: "deploy",
    token_endpoint_auth_method: "private_key_jwt",
    federated_credentials: [{
      issuer: platform.origin,
      claims: { repository: "octo-org/octo-repo", ref: "refs/heads/main", environment: "production" },
    }],
    grant_types: ["client_credentials"],
    scope: "deploy:write",
    allowed_resources: [api.origin],
    default_resource: api.origin,
  }],
  onEvent: (event) => {
    if (event.type === "federated_client_authenticated") console.log(`[token server] ${event.client_id} authenticated as ${event.subject} (${event.issuer})`);
  },
});
auth.handle(authorizationServer.fetch);

// --- The API: verifies the access token and the scope ------------------------------------
const resourceServer: ResourceServerOptions = { resource: api.origin, issuer: auth.origin, jwksUri: authorizationServer.endpoints.jwks };
api.handle(async (request) => {
  const result = await verifyAccessToken(request, resourceServer, { scope: "deploy:write" });
  if (!result.ok) return result.response;
  return Response.json({ deployed: true, by: result.claims.client_id, scope: result.claims.scope });
});

const job = (requestToken: string) =>
  `ACTIONS_ID_TOKEN_REQUEST_URL='${platform.origin}/idtoken?api-version=2.0' ACTIONS_ID_TOKEN_REQUEST_TOKEN=${requestToken} ` +
  `TOKEN_ENDPOINT=${authorizationServer.endpoints.token} AUDIENCE=${auth.origin} API_URL=${api.origin}/deployments npx tsx examples/federation/ci_job.ts`;
console.log([
  `CI platform (GitHub Actions stand-in) at ${platform.origin}`,
  `Token server at ${auth.origin}, trusting ${platform.origin}`,
  `API at ${api.origin}`,
  `The deploy job (octo-org/octo-repo, main, production) gets a token and deploys:`,
  `  ${job(requestTokens.deploy)}`,
  `A job of the same repository on another branch is refused:`,
  `  ${job(requestTokens.feature)}`,
].join("\n"));
