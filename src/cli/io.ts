/**
 * What the command line needs from its runtime, as one small interface: the commands stay
 * web-standard (they run on Node, Deno and Bun alike), and the entry file (`src/cli/main.ts`)
 * supplies the runtime's files, streams and exit code.
 *
 * @module
 */

/**
 * The runtime services of the CLI.
 *
 * @example An in-memory implementation, as the tests use
 * ```ts
 * import type { CliIo } from "./io.ts";
 * const files = new Map<string, string>();
 * let out = "";
 * const io: CliIo = {
 *   stdout: (text) => void (out += text),
 *   stderr: () => {},
 *   readStdin: () => Promise.resolve("secret\n"),
 *   stdinIsTerminal: () => false,
 *   readTextFile: (path) => Promise.resolve(files.get(path) ?? ""),
 *   writeNewPrivateFile: (path, text) => Promise.resolve(files.has(path) ? "exists" : (files.set(path, text), "created")),
 * };
 * ```
 */
export interface CliIo {
  /** Writes to standard output. */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /** Reads standard input to its end. */
  readStdin(): Promise<string>;
  /** Whether standard input is a terminal (a person typing) rather than a pipe. */
  stdinIsTerminal(): boolean;
  /** Reads a UTF-8 file; rejects when it cannot. */
  readTextFile(path: string): Promise<string>;
  /**
   * Creates a new file readable and writable by its owner only (mode 0600) and writes
   * `text`, atomically refusing when a file already exists at `path` (no overwrite, no
   * race between a check and the write).
   */
  writeNewPrivateFile(path: string, text: string): Promise<"created" | "exists">;
}

/**
 * A mistake in how the command was called (unknown command or flag, missing or bad
 * value): exit code 2, as POSIX utilities use for usage errors.
 *
 * @example
 * ```ts
 * import { UsageError } from "./io.ts";
 * throw new UsageError("--alg must be one of ES256, ES384");
 * ```
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The command was understood but could not be done (a file exists, a key is invalid): exit code 1.
 *
 * @example
 * ```ts
 * import { CommandError } from "./io.ts";
 * throw new CommandError("key.json already exists");
 * ```
 */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandError";
  }
}
