// A platform's token issuer on loopback, for the federation tests: an OpenID Connect
// discovery document and a JWK Set (or a SPIFFE bundle) served by node:http on a free port,
// signing keys generated at start with WebCrypto (through jose), and tokens minted with the
// claim sets GitHub Actions, Kubernetes and SPIFFE really emit. It can also misbehave: be
// down, hang, answer a huge body or something that is not JSON, or publish a discovery
// document that names another issuer. Runs the same under Node, Deno and Bun.
import { createServer, type Server } from "node:http";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

export type IssuerMode = "ok" | "down" | "hang" | "huge" | "not-json" | "lying-discovery" | "bad-jwks-uri";

export interface SigningKey {
  kid: string;
  alg: "RS256" | "ES256";
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface PlatformIssuer {
  /** http://127.0.0.1:<port>: the issuer identifier, and where it serves its documents. */
  readonly issuer: string;
  readonly jwksUri: string;
  /** Requests served, by path. */
  readonly hits: Map<string, number>;
  mode: IssuerMode;
  /** The keys published; the first one signs. */
  keys: SigningKey[];
  /** Extra members of every JWK in the published set (SPIFFE's `use`), and of the set. */
  keyMembers: Record<string, unknown>;
  extraSetKeys: JWK[];
  /** Headers of the JWK Set answer (e.g. Cache-Control). */
  jwksHeaders: Record<string, string>;
  /** A new signing key under a new kid, published first; the old keys stay unless `dropOld`. */
  rotate(dropOld?: boolean): Promise<SigningKey>;
  /** Signs `claims` with the current key (or `key`), header `typ`/`kid` as given. */
  mint(claims: Record<string, unknown>, header?: Record<string, unknown>, key?: SigningKey): Promise<string>;
  fetches(path: string): number;
  stop(): Promise<void>;
}

let kids = 0;

export async function signingKey(alg: SigningKey["alg"] = "RS256"): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `k${++kids}-${crypto.randomUUID().slice(0, 8)}`;
  return { kid, alg, privateKey: privateKey as CryptoKey, publicJwk: { ...(await exportJWK(publicKey)), kid } };
}

/** Starts an issuer. `path` is where the JWK Set is served (GitHub: /.well-known/jwks; Kubernetes: /openid/v1/jwks). */
export async function startIssuer(options: { alg?: SigningKey["alg"]; jwksPath?: string; kidInKeys?: boolean } = {}): Promise<PlatformIssuer> {
  const jwksPath = options.jwksPath ?? "/.well-known/jwks";
  const hits = new Map<string, number>();
  const pending = new Set<import("node:http").ServerResponse>();
  let origin = "";
  const state: PlatformIssuer = {
    get issuer() {
      return origin;
    },
    get jwksUri() {
      return `${origin}${jwksPath}`;
    },
    hits,
    mode: "ok",
    keys: [await signingKey(options.alg)],
    keyMembers: {},
    extraSetKeys: [],
    jwksHeaders: {},
    async rotate(dropOld = false) {
      const key = await signingKey(options.alg);
      state.keys = dropOld ? [key] : [key, ...state.keys];
      return key;
    },
    mint(claims, header = {}, key = state.keys[0]!) {
      return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header } as { alg: string }).sign(key.privateKey);
    },
    fetches: (path) => hits.get(path) ?? 0,
    stop: () =>
      new Promise((resolve) => {
        for (const res of pending) res.destroy();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", origin).pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const json = (body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(200, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    switch (state.mode) {
      case "down":
        res.writeHead(503, { "content-type": "text/plain" });
        return res.end("unavailable");
      case "hang":
        // Headers, then nothing: the body never ends.
        pending.add(res);
        res.writeHead(200, { "content-type": "application/json" });
        return res.write('{"keys":[');
      case "huge":
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(`{"issuer":${JSON.stringify(origin)},"keys":[${'{"kty":"EC"},'.repeat(200_000)}{}]}`);
      case "not-json":
        res.writeHead(200, { "content-type": "text/html" });
        return res.end("<html>not here</html>");
    }
    if (path === "/.well-known/openid-configuration") {
      return json({
        issuer: state.mode === "lying-discovery" ? "https://token.actions.githubusercontent.com" : origin,
        jwks_uri: state.mode === "bad-jwks-uri" ? "http://keys.example.com/jwks" : `${origin}${jwksPath}`,
        subject_types_supported: ["public"],
        response_types_supported: ["id_token"],
        id_token_signing_alg_values_supported: [state.keys[0]!.alg],
      });
    }
    if (path === jwksPath) {
      return json({ keys: [...state.keys.map((k) => ({ ...k.publicJwk, ...state.keyMembers })), ...state.extraSetKeys] }, state.jwksHeaders);
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end('{"error":"not_found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
  return state;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * A GitHub Actions OIDC token's claims (GitHub's "OpenID Connect reference": the example
 * token and the custom claims it lists): a deployment job of octo-org/octo-repo on main, in
 * the prod environment, run by a reusable workflow. Every custom claim is a string, ids
 * included; nbf is before iat and the token lives 5 minutes.
 */
export function githubClaims(issuer: string, audience: string, nowMs: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = seconds(nowMs);
  return withOverrides({
    jti: crypto.randomUUID(),
    sub: "repo:octo-org/octo-repo:environment:prod",
    environment: "prod",
    aud: audience,
    ref: "refs/heads/main",
    sha: "b8962f4eaff8e14fc646cb22c596c81e67d71362",
    repository: "octo-org/octo-repo",
    repository_owner: "octo-org",
    actor_id: "12",
    repository_visibility: "private",
    repository_id: "74",
    repository_owner_id: "65",
    run_id: "example-run-id",
    run_number: "10",
    run_attempt: "2",
    runner_environment: "github-hosted",
    actor: "octocat",
    workflow: "example-workflow",
    head_ref: "",
    base_ref: "",
    event_name: "workflow_dispatch",
    ref_type: "branch",
    ref_protected: "true",
    workflow_ref: "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main",
    workflow_sha: "b8962f4eaff8e14fc646cb22c596c81e67d71362",
    job_workflow_ref: "octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main",
    job_workflow_sha: "b8962f4eaff8e14fc646cb22c596c81e67d71362",
    check_run_id: "96193868770",
    iss: issuer,
    nbf: iat - 300,
    exp: iat + 300,
    iat,
  }, over);
}

/**
 * A Kubernetes projected service account token's claims (service account token projection,
 * with the `kubernetes.io` claims of a pod-bound token and the `jti` of Kubernetes 1.29+):
 * the billing service account in the payments namespace, one hour.
 */
export function kubernetesClaims(issuer: string, audience: string, nowMs: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = seconds(nowMs);
  return withOverrides({
    aud: [audience],
    exp: iat + 3600,
    iat,
    iss: issuer,
    jti: crypto.randomUUID(),
    "kubernetes.io": {
      namespace: "payments",
      node: { name: "ip-10-0-1-17.ec2.internal", uid: "5c0b7d0e-2f6a-4a0e-9a5b-8f7d1c2b3a4e" },
      pod: { name: "billing-7d9f8b6c5-x2k4q", uid: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d" },
      serviceaccount: { name: "billing", uid: "0f3b2a6c-7d41-4c47-9c1e-3b1c2d4e5f60" },
      warnafter: iat + 2880,
    },
    nbf: iat,
    sub: "system:serviceaccount:payments:billing",
  }, over);
}

/**
 * A SPIFFE JWT-SVID's claims (the JWT-SVID standard; draft-ietf-oauth-spiffe-client-auth's
 * example): `sub` a SPIFFE ID, `aud`, `exp`, `iat`, and no `iss` or `jti` (SPIRE sets `iss`
 * only when configured with a JWT issuer).
 */
export function spiffeClaims(audience: string, nowMs: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = seconds(nowMs);
  return withOverrides({ aud: [audience], exp: iat + 300, iat, sub: "spiffe://example.org/ns/payments/sa/billing" }, over);
}

function withOverrides(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return base;
}
