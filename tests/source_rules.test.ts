// Standing rules of the code base, checked mechanically: the library uses web standards
// only, draws randomness only from the crypto provider, and ships no runtime dependency.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

function libraryFiles(): string[] {
  const files = ["mod.ts", "resource_server.ts", "stores/redis.ts", "stores/postgres.ts", "stores/deno_kv.ts", "testing.ts"];
  for (const f of readdirSync(`${root}src`, { recursive: true }) as string[]) {
    if (f.endsWith(".ts")) files.push(`src/${f}`);
  }
  return files;
}

function code(file: string): string {
  // Drop comments so examples in doc comments do not count.
  return readFileSync(`${root}${file}`, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

test("the entry points and src use web standards only (no node:, npm:, Buffer, process, Deno., Bun.)", () => {
  const forbidden = /from ["'](node:|npm:|jsr:|https?:)|from ["'][a-z@][^"'./]*["']|require\(|\bprocess\.|\bBuffer\b|\bDeno\.|\bBun\./;
  const offenders = libraryFiles().filter((f) => forbidden.test(code(f)));
  assert.deepEqual(offenders, []);
});

test("no Math.random anywhere in the library (RFC 6749 s10.10)", () => {
  assert.deepEqual(libraryFiles().filter((f) => code(f).includes("Math.random")), []);
});

test("package.json has no runtime dependencies", () => {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as Record<string, unknown>;
  assert.equal(pkg.dependencies, undefined);
  assert.equal(pkg.peerDependencies, undefined);
});

test("no production module reaches the testing helpers (src/testing is imported only by testing.ts)", () => {
  const importsTesting = /from ["'][^"']*\/testing\//;
  const offenders = libraryFiles().filter((f) => f !== "testing.ts" && !f.startsWith("src/testing/") && importsTesting.test(code(f)));
  assert.deepEqual(offenders, []);
});
