// `npm start` (README "Set up") serves a token, and a SIGTERM to npm's own PID stops the server
// (issue 18): npm forwards the signal to its child, so the start script `exec`s node instead of
// leaving a shell (or tsx's wrapper process) between npm and the server. Node only: it drives npm.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { root } from "./support/examples.ts";

const isNode = typeof (globalThis as { Deno?: unknown }).Deno === "undefined" &&
  typeof (globalThis as { Bun?: unknown }).Bun === "undefined";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Every descendant PID of `pid` (ps), children first. */
function descendants(pid: number): number[] {
  const out = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" });
  const rows = out.trim().split("\n").map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of rows) if (parent === p) found.push(child), walk(child);
  };
  walk(pid);
  return found;
}

test("npm start gets a token; SIGTERM to npm's PID closes the port and leaves no child", {
  skip: isNode ? false : "Node only (drives npm)",
  timeout: 60_000,
}, async () => {
  const npm = spawn("npm", ["start"], { cwd: root, env: { ...process.env, PORT: "0", NO_COLOR: "1" } });
  const exited = new Promise<void>((done) => npm.on("exit", () => done()));
  let out = "";
  const banner = await new Promise<string>((resolve, reject) => {
    npm.stdout.on("data", (d) => {
      out += d;
      if (/\/token\n/.test(out)) resolve(out);
    });
    npm.on("exit", (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
  });
  const [, id, secret, tokenUrl] = /-u '([^:]+):([^']+)' -d grant_type=client_credentials -d scope=read (\S+\/token)/
    .exec(banner)!;
  const response = await fetch(tokenUrl!, {
    method: "POST",
    headers: { authorization: `Basic ${btoa(`${id}:${secret}`)}`, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&scope=read",
  });
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as { token_type?: string }).token_type, "Bearer");

  const children = descendants(npm.pid!);
  assert.ok(children.length > 0, "npm runs the server as a child");
  npm.kill("SIGTERM");
  await exited;
  // The children get the signal from npm; wait for them (the test's timeout bounds the wait).
  while (children.some(alive)) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(children.filter(alive), []);
  await assert.rejects(fetch(tokenUrl!, { method: "POST" }), "the port is closed");
});
