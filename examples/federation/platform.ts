// A stand-in for GitHub Actions' OIDC provider, so the example runs without GitHub: an
// OpenID Connect discovery document and a JWK Set at its issuer URL, and the endpoint a job
// asks for its ID token (GitHub hands a job ACTIONS_ID_TOKEN_REQUEST_URL and
// ACTIONS_ID_TOKEN_REQUEST_TOKEN; `GET $URL&audience=<aud>` with the request token as a
// bearer token answers {"value": "<JWT>"}). The tokens carry the claims GitHub's carry,
// signed RS256 with a key generated at start-up (the library's own generateSigningKey).
import { generateSigningKey, type Jwk } from "../../mod.ts";

/** What the platform knows about one running job. */
export interface Job {
  repository: string;
  ref: string;
  environment?: string;
  workflow: string;
}

const b64u = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const json = (status: number, body: unknown) => Response.json(body, { status, headers: { "cache-control": "no-store" } });

/** The platform at `origin`, for the jobs known by their request tokens. */
export async function createPlatform(origin: string, jobs: ReadonlyMap<string, Job>): Promise<(request: Request) => Promise<Response>> {
  const key = await generateSigningKey("RS256");
  const jwks: { keys: Jwk[] } = { keys: [key.publicJwk!] };

  async function mint(job: Job, audience: string): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    const [owner] = job.repository.split("/");
    const claims = {
      jti: crypto.randomUUID(),
      sub: job.environment ? `repo:${job.repository}:environment:${job.environment}` : `repo:${job.repository}:ref:${job.ref}`,
      aud: audience,
      ref: job.ref,
      ref_type: "branch",
      repository: job.repository,
      repository_owner: owner,
      workflow_ref: `${job.repository}/${job.workflow}@${job.ref}`,
      job_workflow_ref: `${job.repository}/${job.workflow}@${job.ref}`,
      event_name: "push",
      runner_environment: "github-hosted",
      ...(job.environment ? { environment: job.environment } : {}),
      iss: origin,
      nbf: iat - 5,
      iat,
      exp: iat + 300,
    };
    const text = (o: unknown) => b64u(new TextEncoder().encode(JSON.stringify(o)));
    const input = `${text({ typ: "JWT", alg: "RS256", kid: key.signer.kid })}.${text(claims)}`;
    return `${input}.${b64u(await key.signer.sign(new TextEncoder().encode(input)))}`;
  }

  return async (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/.well-known/openid-configuration") {
      return json(200, { issuer: origin, jwks_uri: `${origin}/.well-known/jwks`, id_token_signing_alg_values_supported: ["RS256"] });
    }
    if (url.pathname === "/.well-known/jwks") return json(200, jwks);
    if (url.pathname === "/idtoken") {
      const job = jobs.get((request.headers.get("authorization") ?? "").replace(/^bearer /i, ""));
      const audience = url.searchParams.get("audience");
      if (job === undefined) return json(401, { message: "bad request token" });
      if (audience === null) return json(400, { message: "audience required" });
      return json(200, { value: await mint(job, audience) });
    }
    return json(404, { error: "not_found" });
  };
}
