// A tarball left in the tree by `npm pack` must not break `deno publish --dry-run` (issue 18):
// deno.json's publish excludes *.tgz and .gitignore ignores it. Node only: it runs deno publish.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { bin, root } from "./support/examples.ts";

const isNode = typeof (globalThis as { Deno?: unknown }).Deno === "undefined" &&
  typeof (globalThis as { Bun?: unknown }).Bun === "undefined";

test("deno publish --dry-run succeeds with a packed .tgz in the tree, and *.tgz is excluded and ignored", {
  skip: isNode ? false : "Node only (runs deno publish once)",
  timeout: 120_000,
}, () => {
  const config = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")) as { publish: { exclude?: string[] } };
  assert.ok(config.publish.exclude?.includes("*.tgz"), "deno.json publish.exclude has *.tgz");
  assert.match(readFileSync(join(root, ".gitignore"), "utf8"), /^\*\.tgz$/m);
  const tgz = join(root, `m2m-oauth-0.0.0-test-${process.pid}.tgz`);
  writeFileSync(tgz, new Uint8Array([0x1f, 0x8b, 0x08, 0x00])); // a gzip header, as npm pack leaves
  try {
    const r = spawnSync(bin("deno"), ["publish", "--dry-run", "--allow-dirty"], { cwd: root, encoding: "utf8" });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(".tgz"), "the tarball is not among the published files");
  } finally {
    rmSync(tgz, { force: true });
  }
});
