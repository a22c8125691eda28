// The README's Quick start, pasted into a new project that installs the packed tarball (`npm pack`),
// gets a token with the credentials the README's curl shows (issue 18). Node only: it drives npm.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { extractSnippets } from "./support/readme_snippets.ts";

const root = resolve(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");
const isNode = typeof (globalThis as { Deno?: unknown }).Deno === "undefined" &&
  typeof (globalThis as { Bun?: unknown }).Bun === "undefined";

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_offline: "true" } });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")} in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test("the README Quick start, in a new project installing the packed tarball, gets a token", {
  skip: isNode ? false : "Node only (drives npm pack / npm i)",
  timeout: 300_000,
}, () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const quickStart = extractSnippets(readme).find((s) => s.name === "quick-start");
  assert.ok(quickStart, 'README.md has a block marked <!-- snippet: name="quick-start" -->');
  const curl = /curl -s -u '([^':]+):([^']+)' -d grant_type=client_credentials (\S+)/.exec(readme);
  assert.ok(curl, "README.md shows the Quick start's curl");
  const [, clientId, secret, url] = curl;

  const work = mkdtempSync(join(tmpdir(), "m2m-quick-start-"));
  try {
    const packed = run("npm", ["pack", "--silent", "--pack-destination", work], root).trim().split("\n").pop();
    assert.ok(packed, "npm pack names the tarball");
    const project = join(work, "project");
    run("mkdir", [project], work);
    run("npm", ["init", "-y"], project);
    run("npm", ["pkg", "set", "type=module"], project); // top-level await, as the README says
    run("npm", ["i", "--no-audit", "--no-fund", join(work, packed)], project);
    // The pasted block, then what the reader's curl does, in-process (no port needed).
    writeFileSync(join(project, "server.ts"), `${quickStart.code}
const response = await handleTokenRequest(new Request(${JSON.stringify(url)}, {
  method: "POST",
  headers: {
    authorization: "Basic " + btoa(${JSON.stringify(`${clientId}:${secret}`)}),
    "content-type": "application/x-www-form-urlencoded",
  },
  body: "grant_type=client_credentials",
}), options);
console.log(JSON.stringify({ status: response.status, body: await response.json() }));
`);
    const tsx = join(root, "node_modules/tsx/dist/esm/index.mjs");
    const out = run(process.execPath, ["--import", tsx, "server.ts"], project);
    const answer = JSON.parse(out.trim().split("\n").pop() ?? "{}") as {
      status: number;
      body: { access_token?: unknown; token_type?: unknown; scope?: unknown };
    };
    assert.equal(answer.status, 200, out);
    assert.equal(typeof answer.body.access_token, "string");
    assert.equal(answer.body.token_type, "Bearer");
    assert.equal(answer.body.scope, "invoices:read");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
