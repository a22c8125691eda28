/**
 * `m2m-oauth jwks`: the public JWK Set of one or more private key files (JWK or PEM), for
 * resource servers configured with a fixed `jwks`, or to check what a key publishes.
 *
 * @module
 */

import { importSigningKey } from "../crypto/signing_key.ts";
import { ConfigurationError } from "../errors.ts";
import { ASYMMETRIC_ALGORITHMS, type JwsAlgorithm } from "../jose/algorithms.ts";
import type { Jwk } from "../jose/jwk.ts";
import type { Command } from "./command.ts";
import { parseFlags, stringFlag } from "./flags.ts";
import { CommandError, UsageError } from "./io.ts";

const HELP = `usage: m2m-oauth jwks [flags] <key-file>...

Prints the public JWK Set ({"keys": [...]}) of private key files, each a private JWK (as
generate-key writes) or a PKCS#8 PEM. Private members never appear in the output.

flags:
  --alg <alg>   the algorithm of the PEM files (a PEM does not say; a JWK does): ES256, ES384, EdDSA, RS256, PS256
  --kid <kid>   the key id, for a single PEM file generated with --kid (default: the thumbprint)
  -h, --help    this help
`;

/**
 * The `jwks` command.
 *
 * @example
 * ```ts
 * import { jwks } from "./jwks.ts";
 * jwks.name; // "jwks"
 * ```
 */
export const jwks: Command = {
  name: "jwks",
  summary: "print the public JWK Set of private key files (JWK or PEM)",
  help: HELP,
  async run(args, io) {
    const { flags, positionals } = parseFlags(args, { alg: { type: "string" }, kid: { type: "string" } });
    if (flags.help) return io.stdout(HELP);
    if (positionals.length === 0) throw new UsageError("jwks needs at least one key file");
    const alg = flags.alg === undefined ? undefined : stringFlag<JwsAlgorithm>(flags, "alg", "ES256", ASYMMETRIC_ALGORITHMS);
    const kid = stringFlag(flags, "kid");
    if (kid !== undefined && positionals.length > 1) throw new UsageError("--kid names one key: give one file with it");
    const keys: Jwk[] = [];
    for (const path of positionals) {
      let text: string;
      try {
        text = await io.readTextFile(path);
      } catch (e) {
        throw new CommandError(`cannot read ${path}: ${(e as Error).message}`);
      }
      const isPem = text.trimStart().startsWith("-----BEGIN");
      if (isPem && alg === undefined) throw new UsageError(`${path} is a PEM file: say its algorithm with --alg`);
      let key: Jwk | string = text;
      if (!isPem) {
        try {
          key = JSON.parse(text) as Jwk;
        } catch {
          throw new CommandError(`${path} is neither a JWK (JSON) nor a PEM document`);
        }
      }
      try {
        // A JWK names its own algorithm; --alg is for PEM files, which cannot.
        const imported = await importSigningKey(key, { alg: isPem ? alg : undefined, kid });
        if (imported.publicJwk === undefined) throw new CommandError(`${path} holds a shared secret (HS256): it has no public key`);
        keys.push(imported.publicJwk);
      } catch (e) {
        if (e instanceof ConfigurationError) throw new CommandError(`${path}: ${e.message}`);
        throw e;
      }
    }
    io.stdout(`${JSON.stringify({ keys }, null, 2)}\n`);
  },
};
