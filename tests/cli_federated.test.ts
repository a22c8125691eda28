// `m2m-oauth federated-client`: what it prints goes straight into a server's trustedIssuers
// and clients, and the workload's platform token (minted by an issuer on loopback standing
// in for GitHub Actions or a cluster) then gets a token, while a token of another branch,
// service account or SPIFFE ID does not. Run as a subprocess on Node, Deno and Bun (once, in
// the Node run of the suite) and in process through runCli for the flags and errors.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ClientRegistration, TrustedIssuer } from "../mod.ts";
import type { CliIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/run.ts";
import { bin, root } from "./support/examples.ts";
import { authServer } from "./support/fixtures.ts";
import { githubClaims, kubernetesClaims, type PlatformIssuer, signingKey, spiffeClaims, startIssuer } from "./support/platform_issuer.ts";

const ISSUER = "https://auth.example.com";
const CLI = `${root}src/cli/main.ts`;
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const JWT_SPIFFE = "urn:ietf:params:oauth:client-assertion-type:jwt-spiffe";

interface Printed {
  client_id: string;
  trustedIssuer: TrustedIssuer;
  registration: ClientRegistration;
}

function memoryIo(files = new Map<string, string>()): CliIo & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout: (text: string) => void (io.out += text),
    stderr: (text: string) => void (io.err += text),
    readStdin: () => Promise.resolve(""),
    stdinIsTerminal: () => false,
    readTextFile: (path: string) => files.has(path) ? Promise.resolve(files.get(path)!) : Promise.reject(new Error("no such file")),
    writeNewPrivateFile: () => Promise.resolve("created" as const),
  };
  return io;
}

async function cli(args: string[], files?: Map<string, string>): Promise<Printed & { howTo: string }> {
  const io = memoryIo(files);
  assert.equal(await runCli(["federated-client", ...args], io), 0, io.err);
  return { ...JSON.parse(io.out) as Printed, howTo: io.err };
}

/** A token request with `token` as the client assertion, to a server configured with what was printed. */
async function present(printed: Printed, token: string, type = JWT_BEARER): Promise<Response> {
  const { server } = authServer({ issuer: ISSUER, trustedIssuers: [printed.trustedIssuer] }, [printed.registration]);
  return server.fetch(new Request(server.endpoints.token, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_assertion_type: type, client_assertion: token }),
  }));
}

describe("federated-client (in process)", () => {
  let github: PlatformIssuer;
  let cluster: PlatformIssuer;
  before(async () => {
    [github, cluster] = await Promise.all([startIssuer(), startIssuer({ jwksPath: "/openid/v1/jwks" })]);
  });
  after(async () => {
    await Promise.all([github.stop(), cluster.stop()]);
  });

  test("github: the printed registration accepts the workflow's token and refuses another ref, environment or workflow", async () => {
    const printed = await cli([
      "github", "--repository", "octo-org/octo-repo", "--repository-id", "74", "--ref", "refs/heads/main", "--environment", "prod",
      "--workflow", ".github/workflows/deploy.yml", "--issuer", github.issuer, "--scope", "deploy", "--client-id", "deploy",
    ]);
    assert.deepEqual(printed.trustedIssuer, { issuer: github.issuer });
    assert.deepEqual(printed.registration, {
      client_id: "deploy",
      token_endpoint_auth_method: "private_key_jwt",
      federated_credentials: [{
        issuer: github.issuer,
        claims: {
          repository: "octo-org/octo-repo",
          repository_id: "74",
          ref: "refs/heads/main",
          environment: "prod",
          workflow_ref: "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main",
        },
      }],
      grant_types: ["client_credentials"],
      scope: "deploy",
    });
    assert.match(printed.howTo, /id-token: write/);
    assert.match(printed.howTo, /audience=%3Cthe%20token%20server's%20issuer%3E|audience=.*issuer/);
    const now = Date.now();
    const res = await present(printed, await github.mint(githubClaims(github.issuer, ISSUER, now)));
    assert.equal(res.status, 200, await res.clone().text());
    for (const over of [{ ref: "refs/heads/dev" }, { environment: "staging" }, { workflow_ref: "octo-org/octo-repo/.github/workflows/other.yml@refs/heads/main" }, { repository_id: "99" }]) {
      assert.equal((await present(printed, await github.mint(githubClaims(github.issuer, ISSUER, now, over)))).status, 400, JSON.stringify(over));
    }
  });

  test("github: the default issuer is GitHub's; --workflow without --ref is a pattern; --audience goes to the trusted issuer", async () => {
    const printed = await cli(["github", "--repository", "octo-org/app", "--workflow", ".github/workflows/release.yml", "--audience", "https://auth.example.com/ci"]);
    assert.deepEqual(printed.trustedIssuer, { issuer: "https://token.actions.githubusercontent.com", audience: "https://auth.example.com/ci" });
    assert.deepEqual(printed.registration.federated_credentials![0]!.claims, {
      repository: "octo-org/app",
      workflow_ref: { pattern: "octo-org/app/.github/workflows/release.yml@*" },
    });
    assert.match(printed.registration.client_id, /^[A-Za-z0-9_-]{22}$/);
    assert.match(printed.howTo, /audience=https%3A%2F%2Fauth\.example\.com%2Fci/);
    const bare = await cli(["github", "--repository", "octo-org/app"]);
    assert.match(bare.howTo, /every workflow of the repository/);
  });

  test("kubernetes: the service account's projected token, reused, from keys in a --jwks-file; another account is refused", async () => {
    const files = new Map([["jwks.json", JSON.stringify({ keys: cluster.keys.map((k) => k.publicJwk) })]]);
    const printed = await cli([
      "kubernetes", "--issuer", cluster.issuer, "--namespace", "payments", "--service-account", "billing",
      "--service-account-uid", "0f3b2a6c-7d41-4c47-9c1e-3b1c2d4e5f60", "--jwks-file", "jwks.json", "--scope", "invoices:read",
    ], files);
    assert.equal(printed.trustedIssuer.allowReuse, true);
    assert.deepEqual(printed.trustedIssuer.jwks, JSON.parse(files.get("jwks.json")!));
    assert.deepEqual(printed.registration.federated_credentials![0]!.claims, {
      sub: "system:serviceaccount:payments:billing",
      "kubernetes.io": { serviceaccount: { uid: "0f3b2a6c-7d41-4c47-9c1e-3b1c2d4e5f60" } },
    });
    assert.match(printed.howTo, /serviceAccountToken:\n +path: token\n +audience: <the token server's issuer>/);
    const token = await cluster.mint(kubernetesClaims(cluster.issuer, ISSUER, Date.now()));
    const { server } = authServer({ issuer: ISSUER, trustedIssuers: [printed.trustedIssuer] }, [printed.registration]);
    for (let i = 0; i < 2; i++) {
      const res = await server.fetch(new Request(server.endpoints.token, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "client_credentials", client_assertion_type: JWT_BEARER, client_assertion: token }),
      }));
      assert.equal(res.status, 200, await res.clone().text());
    }
    assert.equal(cluster.hits.size, 0, "keys from the file: nothing fetched");
    const other = await cluster.mint(kubernetesClaims(cluster.issuer, ISSUER, Date.now(), { sub: "system:serviceaccount:payments:other" }));
    assert.equal((await present(printed, other)).status, 400);
  });

  test("kubernetes: --jwks-uri is kept; without it, keys come from the cluster's discovery document", async () => {
    const withUri = await cli(["kubernetes", "--issuer", cluster.issuer, "--namespace", "payments", "--service-account", "billing", "--jwks-uri", cluster.jwksUri]);
    assert.deepEqual(withUri.trustedIssuer, { issuer: cluster.issuer, allowReuse: true, jwksUri: cluster.jwksUri });
    assert.equal((await present(withUri, await cluster.mint(kubernetesClaims(cluster.issuer, ISSUER, Date.now())))).status, 200);
  });

  test("spiffe: a prefix SPIFFE ID becomes a path-segment pattern; the JWT-SVID authenticates as jwt-spiffe", async () => {
    const spire = await startIssuer({ alg: "ES256", jwksPath: "/bundle" });
    try {
      spire.keyMembers = { use: "jwt-svid" };
      const printed = await cli(["spiffe", "--spiffe-id", "spiffe://example.org/ns/payments/*", "--bundle-endpoint", spire.jwksUri]);
      assert.deepEqual(printed.trustedIssuer, { issuer: "spiffe://example.org", jwksUri: spire.jwksUri, allowReuse: true });
      assert.equal(printed.registration.token_endpoint_auth_method, "spiffe_jwt");
      assert.deepEqual(printed.registration.federated_credentials![0]!.claims, { sub: { pattern: "spiffe://example.org/ns/payments/*" } });
      assert.equal((await present(printed, await spire.mint(spiffeClaims(ISSUER, Date.now())), JWT_SPIFFE)).status, 200);
      const elsewhere = await spire.mint(spiffeClaims(ISSUER, Date.now(), { sub: "spiffe://example.org/ns/other/sa/x" }));
      assert.equal((await present(printed, elsewhere, JWT_SPIFFE)).status, 400);
    } finally {
      await spire.stop();
    }
  });

  const usage: Array<[string[], RegExp]> = [
    [[], /needs a platform: github, kubernetes, spiffe/],
    [["gitlab"], /unknown platform "gitlab"/],
    [["github", "kubernetes"], /takes one platform/],
    [["github"], /github needs --repository/],
    [["github", "--repository", "octo-org"], /owner\/repo/],
    [["github", "--repository", "o/r", "--ref", "main"], /refs\/heads\/main/],
    [["github", "--repository", "o/r", "--workflow", "deploy.yml"], /\.github\/workflows\/deploy\.yml/],
    [["github", "--repository", "o/r", "--repository-id", "abc"], /numeric id/],
    [["github", "--repository", "o/r", "--namespace", "x"], /--namespace does not apply to github/],
    [["github", "--repository", "o/r", "--issuer", "http://ghe.example.com/_services/token"], /https URL/],
    [["kubernetes", "--issuer", "https://k8s.example.com", "--namespace", "payments"], /needs --service-account/],
    [["kubernetes", "--issuer", "https://k8s.example.com", "--namespace", "Payments", "--service-account", "x"], /Kubernetes name/],
    [["kubernetes", "--issuer", "https://k8s.example.com", "--namespace", "p", "--service-account", "x", "--jwks-uri", "https://k/j", "--jwks-file", "j"], /not both/],
    [["kubernetes", "--issuer", "https://k8s.example.com", "--namespace", "p", "--service-account", "x", "--ref", "refs/heads/main"], /--ref does not apply/],
    [["spiffe", "--spiffe-id", "spiffe://example.org", "--bundle-endpoint", "https://b"], /spiffe:\/\/<trust domain>\/<path>/],
    [["spiffe", "--spiffe-id", "spiffe://example.org/x"], /needs --bundle-endpoint/],
    [["github", "--repository", "o/r", "--token-format", "paseto"], /jwt or opaque/],
    [["github", "--repository", "o/r", "--scope", "a  b"], /scope/],
  ];
  for (const [args, message] of usage) {
    test(`federated-client ${args.join(" ")} -> exit 2, ${message}`, async () => {
      const io = memoryIo();
      assert.equal(await runCli(["federated-client", ...args], io), 2, io.err);
      assert.match(io.err, message);
      assert.equal(io.out, "");
    });
  }

  test("an unreadable or non-JSON --jwks-file exits 1; a JWK Set with a private key exits 2", async () => {
    const base = ["federated-client", "kubernetes", "--issuer", "https://k8s.example.com", "--namespace", "p", "--service-account", "x", "--jwks-file"];
    const k = await signingKey("ES256");
    const files = new Map([["notes.txt", "hello"], ["private.json", JSON.stringify({ keys: [{ ...k.publicJwk, d: "secret" }] })]]);
    for (const [file, code, message] of [["missing.json", 1, /cannot read missing\.json/], ["notes.txt", 1, /not JSON/], ["private.json", 2, /public keys only/]] as const) {
      const io = memoryIo(files);
      assert.equal(await runCli([...base, file], io), code, io.err);
      assert.match(io.err, message);
    }
  });
});

// The subprocess matrix: as a user runs it.
const RUNTIMES: Array<[string, string, string[]]> = [
  ["node", bin("tsx"), [CLI]],
  ["deno", bin("deno"), ["run", "--allow-read", "--allow-write", CLI]],
  ["bun", bin("bun"), [CLI]],
];
const host = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
const matrixSkip = host === "node" ? false : "the subprocess matrix (node, deno, bun) runs once, in the Node run of the suite";

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

describe("federated-client as a subprocess", () => {
  for (const [runtime, command, prefix] of RUNTIMES) {
    test(`${runtime}: the printed GitHub registration configures a server that accepts the workflow's token`, { skip: matrixSkip }, async () => {
      const github = await startIssuer();
      try {
        const printed = await run(command, [...prefix, "federated-client", "github", "--repository", "octo-org/octo-repo", "--ref", "refs/heads/main", "--issuer", github.issuer]);
        assert.equal(printed.code, 0, printed.stderr);
        assert.match(printed.stderr, /ACTIONS_ID_TOKEN_REQUEST_URL/);
        const res = await present(JSON.parse(printed.stdout) as Printed, await github.mint(githubClaims(github.issuer, ISSUER, Date.now())));
        assert.equal(res.status, 200, await res.clone().text());
      } finally {
        await github.stop();
      }
    });
  }
});
