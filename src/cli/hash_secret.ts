/**
 * `m2m-oauth hash-secret`: the `client_secret_hash` of a secret read from stdin, so the
 * secret never appears in a shell's history or a process list.
 *
 * @module
 */

import { hashClientSecret, type SecretHashAlgorithm } from "../clients/secrets.ts";
import { ConfigurationError } from "../errors.ts";
import type { Command } from "./command.ts";
import { parseFlags, stringFlag } from "./flags.ts";
import { CommandError, UsageError } from "./io.ts";

const HELP = `usage: m2m-oauth hash-secret [flags] < secret.txt

Reads a client secret from stdin (one trailing newline is ignored) and prints its hash for
a registration's client_secret_hash.

flags:
  --algorithm <algorithm>   sha256 (default; for generated secrets of 32+ characters) or
                            pbkdf2-sha256 (for secrets a person chose)
  --iterations <n>          PBKDF2 iterations (default 600000)
  -h, --help                this help
`;

/**
 * The `hash-secret` command.
 *
 * @example
 * ```ts
 * import { hashSecret } from "./hash_secret.ts";
 * hashSecret.name; // "hash-secret"
 * ```
 */
export const hashSecret: Command = {
  name: "hash-secret",
  summary: "read a secret from stdin and print its client_secret_hash",
  help: HELP,
  async run(args, io) {
    const { flags, positionals } = parseFlags(args, { algorithm: { type: "string" }, iterations: { type: "string" } });
    if (flags.help) return io.stdout(HELP);
    if (positionals.length > 0) throw new UsageError("hash-secret reads the secret from stdin, not from its arguments");
    const algorithm = stringFlag<SecretHashAlgorithm>(flags, "algorithm", "sha256", ["sha256", "pbkdf2-sha256"]);
    const iterationsText = stringFlag(flags, "iterations");
    let iterations: number | undefined;
    if (iterationsText !== undefined) {
      if (algorithm !== "pbkdf2-sha256") throw new UsageError("--iterations goes with --algorithm pbkdf2-sha256");
      if (!/^[1-9][0-9]{0,9}$/.test(iterationsText)) throw new UsageError("--iterations must be a positive integer");
      iterations = Number(iterationsText);
    }
    if (io.stdinIsTerminal()) io.stderr("Type the secret, then Enter and Ctrl-D:\n");
    const secret = (await io.readStdin()).replace(/\r?\n$/, "");
    if (secret === "") throw new CommandError("no secret on stdin");
    try {
      io.stdout(`${await hashClientSecret(secret, { algorithm, iterations })}\n`);
    } catch (e) {
      // A short secret with the fast hash: the library's refusal says what to do.
      if (e instanceof ConfigurationError) throw new CommandError(e.message.replace('{ algorithm: "pbkdf2-sha256" }', "--algorithm pbkdf2-sha256"));
      throw e;
    }
  },
};
