// Installs bench/'s own packages (the peers the smoke test runs) when they are missing or
// older than bench/package-lock.json: a fresh clone's `npm ci && npm test` then just works,
// and a later run costs one hash of the lockfile.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bench = fileURLToPath(new URL(".", import.meta.url));
const stamp = `${bench}node_modules/.m2m-lock-sha256`;
const hash = createHash("sha256").update(readFileSync(`${bench}package-lock.json`)).digest("hex");
if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash) process.exit(0);
console.log("bench/: installing its packages (npm ci)");
execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: bench, stdio: "inherit" });
writeFileSync(stamp, hash);
