// Every ```ts / ```typescript block of README.md is type-checked strictly (the repo's tsconfig: strict,
// noUncheckedIndexedAccess) against the repo's entry files, so the docs cannot drift (issue 18).
//
// Each block is its own module. A block that uses names from an earlier block says so with an HTML
// comment on a line before it: `<!-- snippet: continues "name" -->`, where the earlier block carried
// `<!-- snippet: name="name" -->`; no block is ever silently concatenated. Blocks using `Deno.` are checked
// with `deno check`, blocks using `Bun.` against @types/bun, the rest against @types/node.
// Blocks named in RUNS below are also run (Node only) with a harness that gets a token from them.
//
// README_PATH=<file> runs the same test against another README (e.g. `git show 311a89d:README.md`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { extractSnippets, type Snippet } from "./support/readme_snippets.ts";

const root = resolve(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");
const readmePath = process.env.README_PATH ? resolve(process.env.README_PATH) : join(root, "README.md");

// Package names (npm and JSR) mapped to the repo's entry files: deno.json's `exports`, which
// tests/entry_points.test.ts holds equal to package.json's.
const entries: Record<string, string> = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync(join(root, "deno.json"), "utf8")).exports as Record<string, string>)
    .map(([subpath, file]) => [subpath.slice(1), file.replace(/^\.\//, "")]),
);

function rewriteImports(code: string, fromDir: string): string {
  return code.replace(
    /(from\s+|import\s*\(\s*|import\s+)(["'])(?:npm:|jsr:)?(m2m-oauth|@m2m\/oauth)(?:@[^/"']*)?(\/[^"']*)?\2/g,
    (all, kw: string, q: string, _pkg: string, sub: string | undefined) => {
      const entry = entries[sub ?? ""];
      if (!entry) return all;
      return `${kw}${q}${relative(fromDir, join(root, entry))}${q}`;
    },
  );
}

/** The module text of a snippet: the blocks it continues, then itself. */
function moduleText(snippet: Snippet, all: Snippet[]): string {
  const parts: string[] = [];
  const seen = new Set<string>();
  const add = (s: Snippet) => {
    for (const name of s.continues) {
      const earlier = all.find((o) => o.name === name && o.index < s.index);
      assert.ok(earlier, `README.md:${s.line}: continues "${name}", but no earlier block is named so`);
      if (!seen.has(name)) {
        seen.add(name);
        add(earlier);
      }
    }
    parts.push(`// README.md:${s.line}\n${s.code}`);
  };
  add(snippet);
  return parts.join("\n") + "\nexport {};\n";
}

const markdown = readFileSync(readmePath, "utf8");
const snippets = extractSnippets(markdown);
const dir = join(root, ".tmp", `readme_snippets_${process.pid}`);

function writeSnippets(): Map<Snippet, string> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = new Map<Snippet, string>();
  for (const s of snippets) {
    const file = join(dir, `snippet_${String(s.line).padStart(5, "0")}.${s.runtime}.ts`);
    writeFileSync(file, rewriteImports(moduleText(s, snippets), dir));
    files.set(s, file);
  }
  return files;
}

function tsc(files: string[], types: string): string {
  const config = join(dir, `tsconfig.${types}.json`);
  writeFileSync(config, JSON.stringify({
    extends: relative(dir, join(root, "tsconfig.json")),
    compilerOptions: { types: [types], lib: ["ES2023", "DOM", "DOM.Iterable"], noEmit: true },
    files,
  }));
  const r = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", config], {
    cwd: root,
    encoding: "utf8",
  });
  return r.status === 0 ? "" : `${r.stdout}${r.stderr}`;
}

function relabel(output: string, files: Map<Snippet, string>): string {
  let out = output;
  for (const [s, file] of files) out = out.split(file.slice(root.length + 1)).join(`README.md:${s.line} (block)`);
  return out;
}

const isNode = typeof (globalThis as { Deno?: unknown }).Deno === "undefined" &&
  typeof (globalThis as { Bun?: unknown }).Bun === "undefined";

test(`README.md snippets type-check strictly (${readmePath})`, {
  skip: isNode ? false : "Node only: it runs tsc (Node) and deno check in subprocesses, once is enough",
  timeout: 300_000,
}, () => {
  assert.ok(snippets.length > 10, "README.md has TypeScript blocks");
  const files = writeSnippets();
  try {
    const of = (rt: Snippet["runtime"]) => [...files].filter(([s]) => s.runtime === rt).map(([, f]) => f);
    const errors: string[] = [];
    const node = tsc(of("node"), "node");
    if (node) errors.push(node);
    const bun = of("bun");
    if (bun.length) {
      const out = tsc(bun, "bun");
      if (out) errors.push(out);
    }
    const deno = of("deno");
    if (deno.length) {
      // The repo's deno.json, plus the unstable lib (Deno.openKv) that a Deno KV user enables.
      const denoConfig = join(dir, "deno.json");
      const base = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")) as { compilerOptions: { lib: string[] } };
      writeFileSync(denoConfig, JSON.stringify({
        nodeModulesDir: "manual",
        compilerOptions: { ...base.compilerOptions, lib: [...base.compilerOptions.lib, "deno.unstable"] },
      }));
      const r = spawnSync(join(root, "node_modules/.bin/deno"), ["check", "--quiet", "--config", denoConfig, ...deno], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      });
      if (r.status !== 0) errors.push(`${r.stdout}${r.stderr}`);
    }
    assert.equal(relabel(errors.join("\n"), files), "", "every README snippet type-checks");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
