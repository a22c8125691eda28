// The CLI, run as a user runs it: a subprocess on Node (through tsx, as `npx` runs the built
// file), Deno and Bun. What it prints goes straight into a server configuration, which then
// issues tokens. The flag and error handling is also checked in process through runCli.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type ClientRegistration,
  createAuthorizationServer,
  encodeBasicCredentials,
  importSigningKey,
  type Jwk,
  type JwkSet,
  KeySet,
} from "../mod.ts";
import { verifyAccessToken } from "../src/resource_server/mod.ts";
import type { CliIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/run.ts";
import { authServer } from "./support/fixtures.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name: string) => `${root}node_modules/.bin/${name}`;
const CLI = `${root}src/cli/main.ts`;

const RUNTIMES: Array<[string, string, string[]]> = [
  ["node", bin("tsx"), [CLI]],
  ["deno", bin("deno"), ["run", "--allow-read", "--allow-write", CLI]],
  ["bun", bin("bun"), [CLI]],
];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, stdin = ""): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

async function token(server: ReturnType<typeof createAuthorizationServer>, id: string, secret: string, body: Record<string, string> = {}) {
  const res = await server.fetch(
    new Request(server.endpoints.token, {
      method: "POST",
      headers: { authorization: `Basic ${encodeBasicCredentials(id, secret)}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", ...body }),
    }),
  );
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { access_token: string; scope: string };
}

// The matrix spawns all three runtimes from whichever runs the suite, so once is enough:
// it runs in the Node run of `npm test` and is skipped, saying so, in the Deno and Bun runs.
const host = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
const matrixSkip = host === "node" ? false : "the subprocess matrix (node, deno, bun) runs once, in the Node run of the suite";

for (const [runtime, command, prefix] of RUNTIMES) {
  describe(`the CLI as a ${runtime} subprocess`, () => {
    test("create-client, generate-key and jwks output configure a server that issues verifiable JWTs", { skip: matrixSkip }, async () => {
      const dir = mkdtempSync(join(tmpdir(), `m2m-cli-${runtime}-`));
      try {
        const created = await run(command, [...prefix, "create-client", "--scope", "invoices:read invoices:write", "--resource", "https://api.example.com", "--token-format", "jwt"], dir);
        assert.equal(created.code, 0, created.stderr);
        assert.match(created.stderr, /shown only this once/);
        const { client_id, client_secret, registration } = JSON.parse(created.stdout) as { client_id: string; client_secret: string; registration: ClientRegistration };
        assert.match(client_id, /^[A-Za-z0-9_-]{22}$/);
        assert.match(client_secret, /^[A-Za-z0-9_-]{43}$/);
        assert.ok(!JSON.stringify(registration).includes(client_secret), "the registration holds the secret only as a hash");

        const generated = await run(command, [...prefix, "generate-key", "--out", "signing.json"], dir);
        assert.equal(generated.code, 0, generated.stderr);
        assert.equal(statSync(join(dir, "signing.json")).mode & 0o777, 0o600);
        const publicJwk = JSON.parse(generated.stdout) as Jwk;
        assert.equal(publicJwk.d, undefined);

        const listed = await run(command, [...prefix, "jwks", "signing.json"], dir);
        assert.equal(listed.code, 0, listed.stderr);
        const jwks = JSON.parse(listed.stdout) as JwkSet;
        assert.deepEqual(jwks.keys, [publicJwk]);

        // Straight into a server: the registration as printed, the key file as written.
        const issuer = "https://auth.example.com";
        const { server } = authServer({
          issuer,
          signingKeys: new KeySet({ active: await importSigningKey(JSON.parse(readFileSync(join(dir, "signing.json"), "utf8")) as Jwk) }),
        }, [registration]);
        const { access_token } = await token(server, client_id, client_secret, { scope: "invoices:read", resource: "https://api.example.com" });
        // A resource server that knows only the printed JWK Set accepts it.
        const verified = await verifyAccessToken(
          new Request("https://api.example.com/invoices", { headers: { authorization: `Bearer ${access_token}` } }),
          { resource: "https://api.example.com", issuer, jwks },
          { scope: "invoices:read" },
        );
        assert.ok(verified.ok);
        assert.equal(verified.claims.client_id, client_id);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test("hash-secret reads stdin; a PEM key works with jwks --alg; overwriting and bad flags fail with codes", { skip: matrixSkip }, async () => {
      const dir = mkdtempSync(join(tmpdir(), `m2m-cli-${runtime}-`));
      try {
        const secret = "a-long-generated-secret-0123456789abcdef";
        const hashed = await run(command, [...prefix, "hash-secret"], dir, `${secret}\n`);
        assert.equal(hashed.code, 0, hashed.stderr);
        const { server } = authServer(
          { issuer: "https://auth.example.com" },
          [{ client_id: "svc", client_secret_hash: hashed.stdout.trim(), grant_types: ["client_credentials"], scope: "read" }],
        );
        assert.equal((await token(server, "svc", secret)).scope, "read");

        const pem = await run(command, [...prefix, "generate-key", "--alg", "PS256", "--out", "key.pem"], dir);
        assert.equal(pem.code, 0, pem.stderr);
        assert.match(readFileSync(join(dir, "key.pem"), "utf8"), /^-----BEGIN PRIVATE KEY-----\n/);
        const fromPem = await run(command, [...prefix, "jwks", "--alg", "PS256", "key.pem"], dir);
        assert.equal(fromPem.code, 0, fromPem.stderr);
        assert.deepEqual(JSON.parse(fromPem.stdout).keys, [JSON.parse(pem.stdout)]);

        const again = await run(command, [...prefix, "generate-key", "--out", "key.pem"], dir);
        assert.equal(again.code, 1);
        assert.match(again.stderr, /already exists/);
        const bad = await run(command, [...prefix, "create-client", "--scopes", "x"], dir);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /unknown flag --scopes/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/** An in-memory CliIo: files in a Map, output captured. */
function memoryIo(stdin = "", files = new Map<string, string>()): CliIo & { out: string; err: string; files: Map<string, string> } {
  const io = {
    out: "",
    err: "",
    files,
    stdout: (text: string) => void (io.out += text),
    stderr: (text: string) => void (io.err += text),
    readStdin: () => Promise.resolve(stdin),
    stdinIsTerminal: () => false,
    readTextFile: (path: string) => files.has(path) ? Promise.resolve(files.get(path)!) : Promise.reject(new Error("no such file")),
    writeNewPrivateFile: (path: string, text: string) =>
      Promise.resolve(files.has(path) ? "exists" as const : (files.set(path, text), "created" as const)),
  };
  return io;
}

describe("runCli (in process): flags, help and exit codes", () => {
  test("no command: the overview on stderr, exit 2; --help: on stdout, exit 0", async () => {
    const none = memoryIo();
    assert.equal(await runCli([], none), 2);
    assert.match(none.err, /commands:\n  create-client/);
    const help = memoryIo();
    assert.equal(await runCli(["--help"], help), 0);
    assert.match(help.out, /hash-secret/);
  });

  test("every command answers --help and -h on stdout with exit 0", async () => {
    for (const name of ["create-client", "federated-client", "generate-key", "jwks", "hash-secret"]) {
      for (const flag of ["--help", "-h"]) {
        const io = memoryIo();
        assert.equal(await runCli([name, flag], io), 0, name);
        assert.match(io.out, new RegExp(`^usage: m2m-oauth ${name}`));
        assert.equal(io.err, "");
      }
    }
  });

  const usageErrors: Array<[string[], RegExp]> = [
    [["frobnicate"], /unknown command "frobnicate"/],
    [["create-client", "--grant-type", "authorization_code"], /client_credentials grant only/],
    [["create-client", "--auth-method", "private_key_jwt"], /--auth-method must be one of client_secret_basic, client_secret_post/],
    [["create-client", "--scope"], /--scope needs a value/],
    [["create-client", "--scope", "a", "--scope", "b"], /given twice/],
    [["create-client", "--resource", "not a uri"], /allowed_resources|resource/],
    [["create-client", "--default-scope", "admin", "--scope", "read"], /default_scope/],
    [["create-client", "extra"], /takes no arguments/],
    [["create-client", "-x"], /unknown flag -x/],
    [["generate-key"], /needs --out/],
    [["generate-key", "--out", "k.json", "--alg", "HS256"], /--alg must be one of/],
    [["generate-key", "--out", "k.json", "--format", "der"], /--format must be one of jwk, pem/],
    [["jwks"], /at least one key file/],
    [["hash-secret", "--iterations", "5"], /goes with --algorithm pbkdf2-sha256/],
    [["hash-secret", "the-secret"], /from stdin/],
  ];
  for (const [args, message] of usageErrors) {
    test(`${args.join(" ")} -> exit 2, ${message}`, async () => {
      const io = memoryIo();
      assert.equal(await runCli(args, io), 2, io.err);
      assert.match(io.err, message);
      assert.equal(io.out, "");
    });
  }

  test("failures of the work itself exit 1: existing file, unreadable or foreign key files, empty or short secrets", async () => {
    const files = new Map([["k.json", "{}"], ["notes.txt", "hello"], ["public.json", JSON.stringify({ kty: "EC", crv: "P-256", x: "x", y: "y" })]]);
    const cases: Array<[string[], string, RegExp]> = [
      [["generate-key", "--out", "k.json"], "", /already exists/],
      [["jwks", "missing.json"], "", /cannot read missing\.json/],
      [["jwks", "notes.txt"], "", /neither a JWK/],
      [["jwks", "public.json"], "", /private JWK/],
      [["hash-secret"], "\n", /no secret on stdin/],
      [["hash-secret"], "short\n", /--algorithm pbkdf2-sha256/],
    ];
    for (const [args, stdin, message] of cases) {
      const io = memoryIo(stdin, files);
      assert.equal(await runCli(args, io), 1, `${args.join(" ")}: ${io.err}`);
      assert.match(io.err, message);
    }
    assert.equal(files.get("k.json"), "{}", "the existing file is untouched");
  });

  test("create-client --auth-method client_secret_post and --hash pbkdf2-sha256 give a registration the server takes", async () => {
    const io = memoryIo();
    assert.equal(await runCli(["create-client", "--client-id", "reports", "--auth-method", "client_secret_post", "--hash", "pbkdf2-sha256", "--scope", "read"], io), 0, io.err);
    const printed = JSON.parse(io.out) as { client_secret: string; registration: ClientRegistration };
    assert.equal(printed.registration.client_id, "reports");
    assert.match(String(printed.registration.client_secret_hash), /^\$pbkdf2-sha256\$i=600000\$/);
    const { server } = authServer({ issuer: "https://auth.example.com" }, [printed.registration]);
    const res = await server.fetch(new Request(server.endpoints.token, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: "reports", client_secret: printed.client_secret }),
    }));
    assert.equal(res.status, 200);
  });

  test("hash-secret --algorithm pbkdf2-sha256 --iterations 1000 hashes a short secret", async () => {
    const io = memoryIo("short\n");
    assert.equal(await runCli(["hash-secret", "--algorithm=pbkdf2-sha256", "--iterations", "1000"], io), 0, io.err);
    assert.match(io.out, /^\$pbkdf2-sha256\$i=1000\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+\n$/);
  });

  test("generate-key --kid with PEM: the kid is kept by passing --kid to jwks", async () => {
    const io = memoryIo();
    assert.equal(await runCli(["generate-key", "--out", "k.pem", "--kid", "2026-01", "--alg", "ES384"], io), 0, io.err);
    assert.match(io.err, /--kid 2026-01/);
    const listed = memoryIo("", io.files);
    assert.equal(await runCli(["jwks", "k.pem", "--alg", "ES384", "--kid", "2026-01"], listed), 0, listed.err);
    assert.equal(JSON.parse(listed.out).keys[0].kid, "2026-01");
  });
});

test("the built CLI has a shebang and is the package's bin", () => {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { bin: Record<string, string> };
  assert.deepEqual(pkg.bin, { "m2m-oauth": "./dist/src/cli/main.js" });
  assert.match(readFileSync(CLI, "utf8"), /^#!\/usr\/bin\/env node\n/);
});
