// The load generator, in its own process, against 127.0.0.1 only, bounded in time: wrk when
// installed (cheapest on a 2-core machine), autocannon otherwise.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { AUTHORIZATION, BODY, CONTENT_TYPE, TOKEN_PATH } from "../fixture.ts";
import { benchDir, hasWrk } from "./processes.ts";

export interface LoadResult {
  tool: "wrk" | "autocannon";
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 2xx, and socket errors: must be 0 for a valid run. */
  non2xx: number;
  errors: number;
}

const script = (() => {
  const dir = mkdtempSync(`${tmpdir()}/m2m-bench-`);
  const file = `${dir}/token.lua`;
  writeFileSync(
    file,
    `wrk.method = "POST"
wrk.body = "${BODY}"
wrk.headers["Content-Type"] = "${CONTENT_TYPE}"
wrk.headers["Authorization"] = "${AUTHORIZATION}"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
`,
  );
  return file;
})();

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (e, stdout, stderr) =>
      e ? reject(new Error(`${cmd} failed: ${e.message}\n${stderr}`)) : resolve(stdout)
    )
  );
}

/** Loads http://127.0.0.1:port/token with `connections` for `seconds`. */
export async function load(port: number, seconds: number, connections = 64): Promise<LoadResult> {
  const url = `http://127.0.0.1:${port}${TOKEN_PATH}`;
  if (hasWrk) {
    const out = await run("wrk", ["-t1", `-c${connections}`, `-d${seconds}s`, "-s", script, url], (seconds + 20) * 1000);
    const m = /RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(out);
    if (!m) throw new Error(`wrk printed no result:\n${out}`);
    const [requests, durationUs, p50, p99, non2xx, errors] = m.slice(1).map(Number) as number[];
    return {
      tool: "wrk",
      requestsPerSecond: (requests! * 1e6) / durationUs!,
      p50Ms: p50! / 1000,
      p99Ms: p99! / 1000,
      non2xx: non2xx!,
      errors: errors!,
    };
  }
  const out = await run(process.execPath, [
    `${benchDir}node_modules/autocannon/autocannon.js`,
    "--json", "-c", String(connections), "-d", String(seconds), "-m", "POST",
    "-H", `content-type=${CONTENT_TYPE}`, "-H", `authorization=${AUTHORIZATION}`, "-b", BODY, url,
  ], (seconds + 30) * 1000);
  const r = JSON.parse(out.trim().split("\n").pop()!) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
  };
  return {
    tool: "autocannon",
    requestsPerSecond: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}
