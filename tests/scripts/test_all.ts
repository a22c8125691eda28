// `npm test`: the steps of the suite (type checks, Node, Deno, Bun, publish checks), each one's
// whole output kept in .tmp/test-logs/<step>.log, and one summary at the end a person can read:
// per runtime pass / fail / skip, and the failures when there are any (issue 18).
// TEST_FILES="tests/a.test.ts tests/b.test.ts" runs the runtimes on those files only (a subset).
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const logs = join(root, ".tmp", "test-logs");
mkdirSync(logs, { recursive: true });
const bin = (name: string) => join(root, "node_modules", ".bin", name);
// The runtime-specific files (tests/runtimes/*.deno.ts, *.bun.ts) are not found by the runners'
// own discovery; they are named one by one, as package.json's test:deno and test:bun do.
const runtimeFiles = (suffix: string) =>
  readdirSync(join(root, "tests", "runtimes")).filter((f) => f.endsWith(suffix)).map((f) => `tests/runtimes/${f}`);
const subset = process.env.TEST_FILES?.split(/\s+/).filter((f) => f !== "");

interface Step {
  name: string;
  command: string[];
  counts?: (out: string) => { pass: number; fail: number; skip: number };
}

const num = (re: RegExp, out: string): number => {
  let total = 0;
  for (const m of out.matchAll(re)) total += Number(m[1]);
  return total;
};

const steps: Step[] = [
  { name: "check (tsc, deno check)", command: ["npm", "run", "--silent", "check"] },
  {
    name: "Node (tsx --test)",
    command: [bin("tsx"), "--test", "--test-reporter=tap", ...(subset ?? ["tests/*.test.ts"])],
    // TAP: `# skipped` counts skipped tests; a skipped describe() is one `# SKIP` line of its own.
    counts: (out) => ({
      pass: num(/^# pass (\d+)$/gm, out),
      fail: num(/^# fail (\d+)$/gm, out),
      skip: [...out.matchAll(/^\s*ok \d+ - .*# SKIP/gm)].length,
    }),
  },
  {
    name: "Deno (deno test)",
    command: [bin("deno"), "test", "-A", "--unstable-kv", ...(subset ?? ["tests/", ...runtimeFiles(".deno.ts")])],
    counts: (out) => ({
      pass: num(/\| (\d+) passed/g, out),
      fail: num(/\| (\d+) failed/g, out),
      skip: num(/\| (\d+) ignored/g, out),
    }),
  },
  {
    name: "Bun (bun test)",
    command: [bin("bun"), "test", ...(subset ?? ["tests/", ...runtimeFiles(".bun.ts")]).map((f) => f.startsWith("./") || f.endsWith("/") ? f : `./${f}`)],
    counts: (out) => ({
      pass: num(/^\s*(\d+) pass$/gm, out),
      fail: num(/^\s*(\d+) fail$/gm, out),
      skip: num(/^\s*(\d+) skip$/gm, out),
    }),
  },
  { name: "publish checks (typedoc, deno publish, npm pack)", command: ["npm", "run", "--silent", "check:publish"] },
];

const rows: string[][] = [];
const failures: string[] = [];
for (const step of steps) {
  process.stdout.write(`${step.name} ... `);
  // The shell expands tests/*.test.ts as npm's script did.
  const r = spawnSync("sh", ["-c", step.command.map((a) => (a.includes("*") ? a : `'${a}'`)).join(" ")], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    maxBuffer: 1 << 30,
  });
  const out = `${r.stdout}${r.stderr}`;
  const log = join(logs, `${step.name.split(" ")[0]!.toLowerCase()}.log`);
  writeFileSync(log, out);
  const ok = r.status === 0;
  const c = step.counts?.(out);
  console.log(ok ? "ok" : `FAILED (exit ${r.status}; ${log})`);
  rows.push([step.name, ok ? "ok" : "FAILED", c ? String(c.pass) : "-", c ? String(c.fail) : "-", c ? String(c.skip) : "-"]);
  if (!ok) {
    const lines = out.split("\n");
    const marked = lines.filter((l) => /^\s*not ok |\bFAILED\b|^\(fail\)|error TS\d+|\[ERROR\]|^error:/.test(l));
    failures.push(`## ${step.name} (whole output: ${log})\n${(marked.length ? marked : lines.slice(-40)).join("\n")}`);
  }
}

const header = ["step", "result", "pass", "fail", "skip"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((v, i) => (i >= 2 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join("  ");
console.log(`\n${failures.length ? failures.join("\n\n") + "\n\n" : ""}Summary\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
for (const r of rows) console.log(line(r));
process.exit(failures.length ? 1 : 0);
