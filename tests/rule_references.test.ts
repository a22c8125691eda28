// Rule references point at something a reader has: src/ cites the RFC section itself, and a
// checklist ID cited anywhere (src/, tests/, mod.ts) is a row of tests/RFC_CHECKLIST.md, the
// repository's own checklist. "SPEC" named a document outside the repository; it is not cited.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const read = (file: string) => readFileSync(`${root}${file}`, "utf8");
const checklist = read("tests/RFC_CHECKLIST.md");
const THIS_FILE = "tests/rule_references.test.ts";

function files(folder: string): string[] {
  return (readdirSync(`${root}${folder}`, { recursive: true }) as string[])
    .filter((f) => /\.(ts|md)$/.test(f))
    .map((f) => `${folder}/${f.replaceAll("\\", "/")}`)
    .filter((f) => f !== "tests/RFC_CHECKLIST.md" && f !== THIS_FILE);
}

const SOURCES = ["mod.ts", ...files("src")];
const ALL = [...SOURCES, ...files("tests")];

// A row ID: the section prefixes of the checklist, and the appendices' "App. B-5", "App. A.1".
const ROW_ID = /\b(?:App\. [AB][.-]\d+|(?:T|CA|CB|CP|CJ|TE|SC|CC|R|E|RI|J|JV|D|B|I|V|M|S)-\d+)\b/g;

/** Every ID the checklist defines: a table row's first cell, or an appendix A vector heading. */
function definedIds(): Set<string> {
  const ids = new Set<string>();
  for (const m of checklist.matchAll(/^\| ((?:App\. )?[A-Z]+-\d+) \|/gm)) ids.add(m[1]!);
  for (const m of checklist.matchAll(/^\*\*(A\.\d+) /gm)) ids.add(`App. ${m[1]}`);
  return ids;
}

/** The checklist's numbered sections ("## 12. Introspection"). */
function definedSections(): Set<string> {
  return new Set([...checklist.matchAll(/^## (\d+)\. /gm)].map((m) => m[1]!));
}

test("the checklist defines the rows the suite cites (sanity: a few known rows)", () => {
  const ids = definedIds();
  for (const id of ["T-8", "CJ-5", "TE-6", "D-18", "S-12", "App. A.1", "App. B-5", "App. B-9"]) {
    assert.ok(ids.has(id), id);
  }
  assert.ok(!ids.has("B-99"));
  assert.ok(definedSections().has("12"));
});

test("src/ and mod.ts cite no SPEC document: the RFC section, or the repository's checklist", () => {
  const offenders = SOURCES.filter((f) => /\bSPEC\b/.test(read(f)));
  assert.deepEqual(offenders, []);
});

test("no test cites the SPEC document either", () => {
  const offenders = files("tests").filter((f) => /\bSPEC\b/.test(read(f)));
  assert.deepEqual(offenders, []);
});

test("every checklist ID cited in src/, tests/ or mod.ts is a row of tests/RFC_CHECKLIST.md", () => {
  const ids = definedIds();
  const missing: string[] = [];
  for (const file of ALL) {
    for (const m of read(file).matchAll(ROW_ID)) {
      if (!ids.has(m[0])) missing.push(`${file}: ${m[0]}`);
    }
  }
  assert.deepEqual(missing, []);
});

test("every checklist section cited (RFC_CHECKLIST section 12, sections 0, 1, 3-7) exists", () => {
  const sections = definedSections();
  const missing: string[] = [];
  for (const file of ALL) {
    for (const m of read(file).matchAll(/RFC_CHECKLIST sections? ((?:\d+(?:-\d+)?(?:, | and )?)+)/g)) {
      for (const n of m[1]!.match(/\d+/g)!) if (!sections.has(n)) missing.push(`${file}: section ${n}`);
    }
  }
  assert.deepEqual(missing, []);
});
