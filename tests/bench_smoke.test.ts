// The benchmark's quick mode: every contender of bench/ answers the benchmark's request with a
// valid token and refuses a wrong secret, so the bench never rots. It checks answers, not
// speed. On Node the HTTP servers of the bench are started once each too.
import { describe, test } from "node:test";
import { existsSync } from "node:fs";
import assert from "node:assert/strict";
import { contenders, runtime, sender, verifiers } from "../bench/contenders/index.ts";
import { checkRefusal, checkTokenAnswer, WRONG_AUTHORIZATION } from "../bench/fixture.ts";

// The peers' packages live in bench/node_modules, installed by `npm run bench` only, so that
// `npm test` runs offline after `npm ci` (issue 18). Without them their rows are skipped, visibly.
const benchModules = new URL("../bench/node_modules/", import.meta.url);
const installed = (pkg: string): boolean => existsSync(new URL(`${pkg}/package.json`, benchModules));
const PEERS = ["@jmondi/oauth2-server", "@node-oauth/oauth2-server", "oidc-provider"];
/** The bench packages a contender needs: the peer itself, and light-my-request for node:http rows. */
function missingPeers(c: (typeof contenders)[number]): string[] {
  const needs = [...PEERS.filter((p) => c.name === p), ...(c.listener && !c.send ? ["light-my-request"] : [])];
  return needs.filter((p) => !installed(p));
}

describe(`bench contenders answer correctly (${runtime})`, () => {
  for (const c of contenders) {
    if (c.pending) {
      test(`${c.name}: pending (${c.pending})`, { skip: c.pending }, () => {});
      continue;
    }
    const missing = missingPeers(c);
    if (missing.length > 0) {
      test(`${c.name}: skipped, ${missing.join(", ")} not installed (npm run bench installs bench/'s packages)`, {
        skip: `${missing.join(", ")} not installed in bench/node_modules`,
      }, () => {});
      continue;
    }
    test(`${c.name} (${c.via}): a token for the right request, invalid_client for a wrong secret`, async () => {
      const send = await sender(c);
      const ok = await send();
      assert.equal(checkTokenAnswer(ok.status, ok.header, ok.text), undefined, `${c.name}: ${ok.text}`);
      const refused = await send(WRONG_AUTHORIZATION);
      assert.equal(checkRefusal(refused.status, refused.text), undefined, `${c.name}: ${refused.text}`);
    });
  }
});

describe(`bench verifiers accept the token they are given (${runtime})`, () => {
  for (const v of verifiers) {
    test(v.name, async () => {
      const verify = await v.create();
      const claims = (await verify()) as { exp?: unknown };
      assert.equal(typeof claims.exp, "number");
    });
  }
});

describe("bench token-store rows: Redis and PostgreSQL on loopback answer correctly", {
  skip: runtime !== "node" && `the store rows of the bench run on Node only (this is ${runtime})`,
}, () => {
  test("each store contender: a token for the right request, invalid_client for a wrong secret", async () => {
    const { startStores } = await import("../bench/contenders/stores.ts");
    const stores = await startStores();
    try {
      for (const c of stores.contenders) {
        const send = await sender(c);
        const ok = await send();
        assert.equal(checkTokenAnswer(ok.status, ok.header, ok.text), undefined, `${c.name}: ${ok.text}`);
        const refused = await send(WRONG_AUTHORIZATION);
        assert.equal(checkRefusal(refused.status, refused.text), undefined, `${c.name}: ${refused.text}`);
      }
      for (const why of stores.skipped) console.warn(`SKIPPED store rows: ${why}`);
    } finally {
      await stores.close();
    }
  });
});

describe("bench servers on Node answer over HTTP", { skip: runtime !== "node" && `the Node server script runs on Node only (this is ${runtime})` }, () => {
  const servers: Array<[string, string]> = [
    ["m2m-oauth, opaque", "hono"],
    ["m2m-oauth, opaque", "srvx"],
    ["m2m-oauth, opaque", "bridge"],
    ["m2m-oauth, JWT ES256", "hono"],
    ["m2m-oauth, JWT EdDSA", "hono"],
    ["floor (node:http)", "node:http"],
    ["@node-oauth/oauth2-server", "node:http"],
    ["oidc-provider", "node:http"],
  ];
  for (const [contender, adapter] of servers) {
    const missing = PEERS.filter((p) => p === contender && !installed(p));
    if (missing.length > 0) {
      test(`${contender} on ${adapter}: skipped, ${missing.join(", ")} not installed (npm run bench installs it)`, {
        skip: `${missing.join(", ")} not installed in bench/node_modules`,
      }, () => {});
      continue;
    }
    test(`${contender} on ${adapter}`, async () => {
      const { startServer } = await import("../bench/lib/processes.ts");
      const { AUTHORIZATION, BODY, CONTENT_TYPE, TOKEN_PATH } = await import("../bench/fixture.ts");
      const server = await startServer("node", "servers/node.ts", [`--contender=${contender}`, `--adapter=${adapter}`]);
      try {
        const res = await fetch(`http://127.0.0.1:${server.port}${TOKEN_PATH}`, {
          method: "POST",
          headers: { "content-type": CONTENT_TYPE, authorization: AUTHORIZATION },
          body: BODY,
        });
        const text = await res.text();
        assert.equal(checkTokenAnswer(res.status, (n) => res.headers.get(n), text), undefined, text);
      } finally {
        await server.stop();
      }
    });
  }
});
