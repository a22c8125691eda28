// Standing rules of the code base, checked mechanically: the library uses web standards
// only, draws randomness only from the crypto provider, and ships no runtime dependency.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

// The bin's runtime shim: the one file of src/ that reaches a runtime (through globalThis,
// feature-detected), checked by its own rule below.
const CLI_SHIM = "src/cli/main.ts";

function libraryFiles(): string[] {
  const files = ["mod.ts"];
  for (const f of readdirSync(`${root}src`, { recursive: true }) as string[]) {
    if (f.endsWith(".ts") && `src/${f}` !== CLI_SHIM) files.push(`src/${f}`);
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

test("the CLI shim reaches Deno or Node only through globalThis, imports only the CLI's own modules, and nothing imports it", () => {
  const shim = code(CLI_SHIM);
  const imports = [...shim.matchAll(/from ["']([^"']+)["']/g)].map((m) => m[1]!);
  assert.ok(imports.length > 0);
  assert.deepEqual(imports.filter((m) => !/^\.\/[a-z_]+\.ts$/.test(m)), []);
  assert.match(shim, /globalThis as \{ Deno\?: DenoApi; process\?: NodeProcess \}/);
  assert.doesNotMatch(shim, /require\(|\bBuffer\b|\bDeno\.|\bBun\./);
  const importers = libraryFiles().filter((f) => /from ["'][^"']*cli\/main\.ts["']/.test(code(f)));
  assert.deepEqual(importers, []);
});

test("no Math.random anywhere in the library (RFC 6749 s10.10)", () => {
  assert.deepEqual(libraryFiles().filter((f) => code(f).includes("Math.random")), []);
});

test("package.json has no runtime dependencies", () => {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as Record<string, unknown>;
  assert.equal(pkg.dependencies, undefined);
  assert.equal(pkg.peerDependencies, undefined);
});

test("no production module reaches the testing helpers (src/testing is imported only from src/testing)", () => {
  const importsTesting = /from ["'][^"']*\/testing\//;
  const offenders = libraryFiles().filter((f) => !f.startsWith("src/testing/") && importsTesting.test(code(f)));
  assert.deepEqual(offenders, []);
});
