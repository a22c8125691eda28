/**
 * The CLI's dispatcher: picks the command, runs it, and turns its outcome into an exit
 * code and a message. Web-standard: the runtime's I/O comes in through {@link CliIo}.
 *
 * @module
 */

import type { Command } from "./command.ts";
import { createClient } from "./create_client.ts";
import { federatedClient } from "./federated_client.ts";
import { generateKey } from "./generate_key.ts";
import { hashSecret } from "./hash_secret.ts";
import { type CliIo, CommandError, UsageError } from "./io.ts";
import { jwks } from "./jwks.ts";

const COMMANDS: readonly Command[] = [createClient, federatedClient, generateKey, jwks, hashSecret];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "usage: m2m-oauth <command> [flags]",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run m2m-oauth <command> --help for a command's flags.",
    "",
  ].join("\n");
}

/**
 * Runs the CLI with `args` (without the program name) and resolves with the exit code:
 * 0 done, 1 the command failed, 2 a usage error (unknown command or flag, bad value).
 * Never rejects: every failure is a message on stderr.
 *
 * @example
 * ```ts
 * import { runCli } from "./run.ts";
 * import type { CliIo } from "./io.ts";
 * declare const io: CliIo;
 * const code = await runCli(["create-client", "--scope", "invoices:read"], io); // 0
 * ```
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) {
    io.stderr(overview());
    return 2;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    io.stdout(overview());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr(`m2m-oauth: unknown command ${JSON.stringify(name)}\n\n${overview()}`);
    return 2;
  }
  try {
    await command.run(rest, io);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`m2m-oauth ${command.name}: ${e.message}\nRun m2m-oauth ${command.name} --help for usage.\n`);
      return 2;
    }
    if (e instanceof CommandError) {
      io.stderr(`m2m-oauth ${command.name}: ${e.message}\n`);
      return 1;
    }
    io.stderr(`m2m-oauth ${command.name}: unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
