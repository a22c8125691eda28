// The package's entry points show its architecture: the authorization server, the resource
// server, one entry per store backend, and the testing helpers. Each is published the same
// way on npm (package.json) and JSR (deno.json), documented by typedoc, and has its own
// module doc with an example; no name is exported from two of them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const read = (file: string) => readFileSync(`${root}${file}`, "utf8");

const ENTRY_POINTS: Record<string, string> = {
  ".": "mod.ts",
  "./resource-server": "src/resource_server/mod.ts",
  "./stores/redis": "src/stores/redis/mod.ts",
  "./stores/postgres": "src/stores/postgres/mod.ts",
  "./stores/deno-kv": "src/stores/deno_kv/mod.ts",
  "./testing": "src/testing/mod.ts",
};

// The agreed top level: the main entry point and the folders; every other entry file sits
// under src/ next to the modules it re-exports.
const TOP_LEVEL = [
  ".ci", ".git", ".gitignore", "LICENSE", "README.md", "SECURITY.md", "bench", "deno.json", "examples", "mod.ts",
  "node_modules", "package-lock.json", "package.json", "src", "tests", "tsconfig.build.json", "tsconfig.bun.json",
  "tsconfig.json", "tsconfig.test.json", "typedoc.json",
];

function exportedNames(file: string): string[] {
  const code = read(file).replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const names: string[] = [];
  for (const m of code.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const n of m[1]!.split(",").map((s) => s.trim()).filter(Boolean)) names.push(n.replace(/^type\s+/, ""));
  }
  return names;
}

function reexportedModules(file: string): string[] {
  return [...read(file).matchAll(/^export[^;]*?from "([^"]+)";/gms)].map((m) => m[1]!);
}

test("package.json exports every entry point as built ESM and .d.ts", () => {
  const exports = (JSON.parse(read("package.json")) as { exports: Record<string, unknown> }).exports;
  const expected: Record<string, unknown> = { "./package.json": "./package.json" };
  for (const [subpath, file] of Object.entries(ENTRY_POINTS)) {
    const built = `./dist/${file.replace(/\.ts$/, "")}`;
    expected[subpath] = { types: `${built}.d.ts`, default: `${built}.js` };
  }
  assert.deepEqual(exports, expected);
});

test("deno.json exports the same entry points (and the CLI), and publishes their files", () => {
  const deno = JSON.parse(read("deno.json")) as { exports: Record<string, string>; publish: { include: string[] } };
  const expected: Record<string, string> = { "./cli": "./src/cli/main.ts" };
  for (const [subpath, file] of Object.entries(ENTRY_POINTS)) expected[subpath] = `./${file}`;
  assert.deepEqual(deno.exports, expected);
  for (const file of Object.values(ENTRY_POINTS)) {
    const included = deno.publish.include.some((glob) =>
      glob === file || (glob.endsWith("/**/*.ts") && file.startsWith(glob.slice(0, -"**/*.ts".length)))
    );
    assert.ok(included, `${file} is published`);
  }
});

test("typedoc documents every entry point", () => {
  const typedoc = JSON.parse(read("typedoc.json")) as { entryPoints: string[] };
  assert.deepEqual([...typedoc.entryPoints].sort(), Object.values(ENTRY_POINTS).sort());
});

for (const file of Object.values(ENTRY_POINTS)) {
  test(`${file} opens with its own module doc, with an example, and only re-exports`, () => {
    const text = read(file);
    const doc = /^\/\*\*([\s\S]*?)\*\//.exec(text);
    assert.ok(doc, "a leading doc comment");
    assert.match(doc[1]!, /@module/);
    assert.match(doc[1]!, /@example/);
    const code = text.slice(doc[0].length).replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "").trim();
    const statements = code.split(/;\s*/).filter(Boolean);
    assert.deepEqual(statements.filter((s) => !/^export\s+(type\s+)?\{[^}]*\}\s+from\s+"[^"]+"$/s.test(s)), []);
  });
}

test("no name is exported from two entry points", () => {
  const seen = new Map<string, string>();
  const twice: string[] = [];
  for (const file of Object.values(ENTRY_POINTS)) {
    for (const name of exportedNames(file)) {
      if (seen.has(name)) twice.push(`${name}: ${seen.get(name)} and ${file}`);
      seen.set(name, file);
    }
  }
  assert.deepEqual(twice, []);
});

test("mod.ts is the authorization server only: no resource server, store backend or test kit", () => {
  const elsewhere = reexportedModules("mod.ts").filter((m) =>
    /src\/(resource_server|testing|stores\/(redis|postgres|deno_kv|conformance))\//.test(m)
  );
  assert.deepEqual(elsewhere, []);
});

test("each store backend has its own entry point, and the conformance kits live in testing", () => {
  for (const file of ["src/stores/redis/mod.ts", "src/stores/postgres/mod.ts", "src/stores/deno_kv/mod.ts"]) {
    assert.ok(reexportedModules(file).every((m) => /^\.\/[a-z_]+\.ts$/.test(m)), file);
  }
  assert.ok(reexportedModules("src/resource_server/mod.ts").every((m) => /^\.\/[a-z_]+\.ts$/.test(m)));
  assert.ok(exportedNames("src/testing/mod.ts").includes("testTokenStore"));
});

test("the top level holds only mod.ts, the folders and configuration: entry files live under src/", () => {
  // dist/, docs/, .tmp/ and logs are ignored by .gitignore: built or written by runs, not kept.
  const unexpected = readdirSync(root).filter((name) => !TOP_LEVEL.includes(name) && !/^(dist|docs|\.tmp)$|\.log$/.test(name));
  assert.deepEqual(unexpected, []);
});

test("npm test type-checks the doc examples of every entry point and of all of src/", () => {
  const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
  assert.match(scripts.check!, /deno check --doc mod\.ts src\/(?= |$)/);
  // `npm test` is tests/scripts/test_all.ts, whose first step is `npm run check`.
  assert.match(scripts.test!, /tests\/scripts\/test_all\.ts/);
  assert.match(read("tests/scripts/test_all.ts"), /command: \["npm", "run", "--silent", "check"\]/);
  // Every entry file is under src/ or is mod.ts, so the one command covers them all.
  assert.deepEqual(Object.values(ENTRY_POINTS).filter((f) => f !== "mod.ts" && !f.startsWith("src/")), []);
});
