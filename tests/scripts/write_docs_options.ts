// npm run docs:options: regenerates README.md's options section from the descriptions.
import { readFileSync, writeFileSync } from "node:fs";
import { withOptionsSection } from "./docs_options.ts";

const path = new URL("../../README.md", import.meta.url);
writeFileSync(path, withOptionsSection(readFileSync(path, "utf8")));
