// A CI job that holds no secret: it asks its platform for an OIDC token (as a GitHub Actions
// job with `permissions: id-token: write` does), presents it to the token server as its
// client assertion with the client credentials grant, and calls the API with the access
// token it gets. Web-standard fetch only: runs on Node, Deno and Bun (and in a real GitHub
// Actions job, where the first two variables are set by the runner).
//
//   ACTIONS_ID_TOKEN_REQUEST_URL   where the platform hands out the job's ID token
//   ACTIONS_ID_TOKEN_REQUEST_TOKEN what authorizes that request
//   TOKEN_ENDPOINT                 the token server's token endpoint
//   AUDIENCE                       the token server's issuer (the audience its trust in the platform asks for)
//   API_URL                        the API to call
import { env } from "./env.ts";

function required(name: string): string {
  const value = env(name);
  if (value === undefined || value === "") throw new Error(`${name} is not set`);
  return value;
}

// 1. The platform token: a short-lived JWT naming this repository, branch and environment.
const idTokenResponse = await fetch(`${required("ACTIONS_ID_TOKEN_REQUEST_URL")}&audience=${encodeURIComponent(required("AUDIENCE"))}`, {
  headers: { authorization: `bearer ${required("ACTIONS_ID_TOKEN_REQUEST_TOKEN")}` },
});
if (!idTokenResponse.ok) throw new Error(`the platform refused an ID token: ${idTokenResponse.status}`);
const { value: platformToken } = await idTokenResponse.json() as { value: string };

// 2. An access token, with the platform token as the client assertion (RFC 7523 s2.2):
//    no client secret and no key of the job's own.
const tokenResponse = await fetch(required("TOKEN_ENDPOINT"), {
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({
    grant_type: "client_credentials",
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: platformToken,
    scope: "deploy:write",
  }),
});
const token = await tokenResponse.json() as { access_token?: string; error?: string };
if (token.access_token === undefined) {
  console.log(JSON.stringify({ step: "token", status: tokenResponse.status, error: token.error }));
} else {
  // 3. The API call.
  const api = await fetch(required("API_URL"), { method: "POST", headers: { authorization: `Bearer ${token.access_token}` } });
  console.log(JSON.stringify({ step: "api", status: api.status, body: await api.json() }));
}
