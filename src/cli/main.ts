#!/usr/bin/env node
/**
 * The `m2m-oauth` command line: create clients (with a secret, or federated with a
 * platform's tokens), generate signing keys, print JWK Sets, hash secrets.
 *
 * ```sh
 * npx m2m-oauth create-client --scope "invoices:read"
 * npx m2m-oauth federated-client github --repository octo-org/app --ref refs/heads/main
 * deno run -A jsr:@m2m/oauth/cli generate-key --out key.json
 * bunx m2m-oauth hash-secret < secret.txt
 * ```
 *
 * This file is the only runtime-specific part: a small shim that gives the web-standard
 * commands in `src/cli/` the runtime's arguments, streams, files and exit code, through
 * Deno's APIs under Deno and Node's (which Bun also provides) elsewhere.
 *
 * @module
 */

import type { CliIo } from "./io.ts";
import { runCli } from "./run.ts";

/** The parts of the Deno namespace the shim uses. */
interface DenoApi {
  readonly args: string[];
  readonly stdin: { readonly readable: ReadableStream<Uint8Array>; isTerminal(): boolean };
  readonly stdout: { writeSync(bytes: Uint8Array): number };
  readonly stderr: { writeSync(bytes: Uint8Array): number };
  readonly errors: { readonly AlreadyExists: new (...args: never[]) => Error };
  readTextFile(path: string): Promise<string>;
  writeTextFile(path: string, text: string, options: { createNew: boolean; mode: number }): Promise<void>;
  exit(code: number): never;
}

/** The parts of Node's `process` (also Bun's) the shim uses. */
interface NodeProcess {
  readonly argv: string[];
  readonly stdin: AsyncIterable<Uint8Array | string> & { readonly isTTY?: boolean };
  readonly stdout: { write(text: string): boolean };
  readonly stderr: { write(text: string): boolean };
  exitCode?: number;
  getBuiltinModule?(id: string): unknown;
}

/** The parts of `node:fs/promises` the shim uses. */
interface NodeFs {
  readFile(path: string, encoding: "utf8"): Promise<string>;
  writeFile(path: string, text: string, options: { flag: "wx"; mode: number }): Promise<void>;
}

const encoder = new TextEncoder();

function writeAll(stream: { writeSync(bytes: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
}

async function readAll(chunks: AsyncIterable<Uint8Array | string>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of chunks) text += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

function denoIo(deno: DenoApi): CliIo {
  return {
    stdout: (text) => writeAll(deno.stdout, text),
    stderr: (text) => writeAll(deno.stderr, text),
    readStdin: () => readAll(deno.stdin.readable),
    stdinIsTerminal: () => deno.stdin.isTerminal(),
    readTextFile: (path) => deno.readTextFile(path),
    async writeNewPrivateFile(path, text) {
      try {
        // createNew is O_EXCL: no overwrite and no window between a check and the write.
        await deno.writeTextFile(path, text, { createNew: true, mode: 0o600 });
        return "created";
      } catch (e) {
        if (e instanceof deno.errors.AlreadyExists) return "exists";
        throw e;
      }
    },
  };
}

function nodeIo(node: NodeProcess): CliIo {
  // getBuiltinModule (Node 20.16+, Bun) rather than an import: the library's type check
  // stays free of Node's types, and JSR's publish check can analyze every import.
  const fs = node.getBuiltinModule?.("node:fs/promises") as NodeFs | undefined;
  if (fs === undefined) throw new Error("m2m-oauth needs Node 20.16 or later, for its getBuiltinModule");
  return {
    stdout: (text) => void node.stdout.write(text),
    stderr: (text) => void node.stderr.write(text),
    readStdin: () => readAll(node.stdin),
    stdinIsTerminal: () => node.stdin.isTTY === true,
    readTextFile: (path) => fs.readFile(path, "utf8"),
    async writeNewPrivateFile(path, text) {
      try {
        // "wx" is O_CREAT | O_EXCL; the mode applies at creation (less the umask).
        await fs.writeFile(path, text, { flag: "wx", mode: 0o600 });
        return "created";
      } catch (e) {
        if ((e as { code?: unknown }).code === "EEXIST") return "exists";
        throw e;
      }
    },
  };
}

const runtime = globalThis as { Deno?: DenoApi; process?: NodeProcess };
if (runtime.Deno !== undefined) {
  const deno = runtime.Deno;
  deno.exit(await runCli(deno.args, denoIo(deno)));
} else if (runtime.process !== undefined) {
  const node = runtime.process;
  // exitCode rather than exit(): stdout written to a pipe is flushed before the process ends.
  node.exitCode = await runCli(node.argv.slice(2), nodeIo(node));
} else {
  throw new Error("m2m-oauth: this runtime has neither Deno nor process; call runCli from src/cli/run.ts yourself");
}
