// The README's options tables are generated from the descriptions; this fails when they are
// stale (run `npm run docs:options`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { END, optionsSection, START, withOptionsSection } from "./scripts/docs_options.ts";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

test("README's options section is what the descriptions generate", () => {
  assert.ok(readme.includes(START) && readme.includes(END), "README.md has the options markers");
  assert.equal(withOptionsSection(readme), readme, "README.md's options section is stale: run npm run docs:options");
});

test("the section lists every described option, access_token_lifetime included", () => {
  const section = optionsSection();
  for (const key of ["accessTokenLifetime", "mountPath", "revocation", "access_token_lifetime", "clockTolerance"]) {
    assert.ok(section.includes(`| \`${key}\` |`), key);
  }
});
