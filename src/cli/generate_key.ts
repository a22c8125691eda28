/**
 * `m2m-oauth generate-key`: a new signing key. The private key goes to a new file that only
 * its owner can read (never over an existing one); the public JWK goes to stdout, ready for
 * a JWK Set.
 *
 * @module
 */

import { generateSigningKey } from "../crypto/signing_key.ts";
import { encodeBase64 } from "../encoding/base64.ts";
import { ASYMMETRIC_ALGORITHMS, type JwsAlgorithm } from "../jose/algorithms.ts";
import { exportJwk } from "../jose/jwk.ts";
import type { Command } from "./command.ts";
import { parseFlags, stringFlag } from "./flags.ts";
import { CommandError, UsageError } from "./io.ts";

const HELP = `usage: m2m-oauth generate-key --out <file> [flags]

Generates a signing key for JWT access tokens. Writes the private key to <file>, created
with mode 0600 (owner only); refuses to overwrite an existing file. Prints the public JWK
(with kid, alg, use) on stdout.

flags:
  --out <file>        where the private key goes (required)
  --alg <alg>         ES256 (default), ES384, EdDSA, RS256 or PS256
  --format <format>   jwk (default) or pem (PKCS#8); default pem when <file> ends in .pem
  --kid <kid>         the key id (default: the RFC 7638 thumbprint of the public key)
  -h, --help          this help

Load the key with importSigningKey(JSON.parse(file)) or importSigningKey(pem, { alg }).
`;

/** PEM (RFC 7468 s10): base64 in lines of 64 characters between the labels. */
function pem(label: string, der: Uint8Array): string {
  const lines = encodeBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/**
 * The `generate-key` command.
 *
 * @example
 * ```ts
 * import { generateKey } from "./generate_key.ts";
 * generateKey.name; // "generate-key"
 * ```
 */
export const generateKey: Command = {
  name: "generate-key",
  summary: "generate a signing key: private key to a 0600 file, public JWK to stdout",
  help: HELP,
  async run(args, io) {
    const { flags, positionals } = parseFlags(args, {
      out: { type: "string" },
      alg: { type: "string" },
      format: { type: "string" },
      kid: { type: "string" },
    });
    if (flags.help) return io.stdout(HELP);
    if (positionals.length > 0) throw new UsageError(`generate-key takes no arguments; give the file with --out`);
    const out = stringFlag(flags, "out");
    if (out === undefined) throw new UsageError("generate-key needs --out <file> for the private key");
    // HS256 is left out on purpose: a shared secret has no public half to print or publish.
    const alg = stringFlag<JwsAlgorithm>(flags, "alg", "ES256", ASYMMETRIC_ALGORITHMS);
    const format = stringFlag(flags, "format", out.toLowerCase().endsWith(".pem") ? "pem" : "jwk", ["jwk", "pem"]);
    const kid = stringFlag(flags, "kid");

    const key = await generateSigningKey(alg, { extractable: true, kid });
    const publicJwk = key.publicJwk!;
    const text = format === "pem"
      ? pem("PRIVATE KEY", new Uint8Array(await crypto.subtle.exportKey("pkcs8", key.privateKey)))
      : `${JSON.stringify({ ...(await exportJwk(key.privateKey)), kid: publicJwk.kid, alg, use: "sig" }, null, 2)}\n`;
    if (await io.writeNewPrivateFile(out, text) === "exists") {
      throw new CommandError(`${out} already exists; not overwriting a key (remove it or choose another --out)`);
    }
    io.stdout(`${JSON.stringify(publicJwk, null, 2)}\n`);
    if (format === "pem" && kid !== undefined) {
      io.stderr(`A PEM file does not keep the kid: pass --kid ${kid} to jwks and { kid } to importSigningKey.\n`);
    }
  },
};
