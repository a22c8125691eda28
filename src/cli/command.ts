/**
 * The shape of one CLI command.
 *
 * @module
 */

import type { CliIo } from "./io.ts";

/**
 * A command: its name, a one-line summary for the overview, its full help text, and what
 * it does. `run` throws a `UsageError` (exit 2) or a `CommandError` (exit 1) on failure.
 *
 * @example
 * ```ts
 * import type { Command } from "./command.ts";
 * const hello: Command = {
 *   name: "hello",
 *   summary: "say hello",
 *   help: "usage: m2m-oauth hello",
 *   run: (_args, io) => Promise.resolve(io.stdout("hello\n")),
 * };
 * ```
 */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  run(args: readonly string[], io: CliIo): Promise<void>;
}
