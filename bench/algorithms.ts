// What one JWS signature (and verification) costs per algorithm on the runtime this runs on:
// WebCrypto (what the library's default signer uses) and the runtime's node:crypto (what a
// `Signer` written on the runtime's own primitives would use; not web standard, so never in
// src/). CPU µs per operation of the whole process (a WebCrypto call may run on a thread
// pool), sequential, interleaved rounds, medians. Prints one JSON line.
// Usage: algorithms.ts [--ms=300] [--rounds=5]
import * as nodeCrypto from "node:crypto";
import { runtime } from "./contenders/index.ts";
import { measureOps, median } from "./lib/harness.ts";

const argv = (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const args = Object.fromEntries(argv.map((a) => a.replace(/^--/, "").split("="))) as Record<string, string>;
const MS = Number(args.ms ?? 300);
const ROUNDS = Number(args.rounds ?? 5);

type Alg = "ES256" | "EdDSA" | "RS256" | "PS256";
const ALGS: Alg[] = ["ES256", "EdDSA", "RS256", "PS256"];
const GENERATE = {
  ES256: { name: "ECDSA", namedCurve: "P-256" },
  EdDSA: { name: "Ed25519" },
  RS256: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  PS256: { name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
} as const;
const SIGN = {
  ES256: { name: "ECDSA", hash: "SHA-256" },
  EdDSA: { name: "Ed25519" },
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  PS256: { name: "RSA-PSS", saltLength: 32 },
} as const;
// A typical signing input: header and claims of an RFC 9068 token, about 300 bytes.
const data = new TextEncoder().encode("eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImsxIn0." + "x".repeat(240));

const ops: Array<{ name: string; alg: Alg; via: string; op: () => Promise<unknown> }> = [];
for (const alg of ALGS) {
  const pair = (await crypto.subtle.generateKey(GENERATE[alg] as never, true, ["sign", "verify"])) as CryptoKeyPair;
  const signature = await crypto.subtle.sign(SIGN[alg], pair.privateKey, data);
  ops.push({ name: `${alg} sign`, alg, via: "WebCrypto", op: () => crypto.subtle.sign(SIGN[alg], pair.privateKey, data) });
  ops.push({ name: `${alg} verify`, alg, via: "WebCrypto", op: () => crypto.subtle.verify(SIGN[alg], pair.publicKey, signature, data) });
  try {
    const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
    const key = nodeCrypto.createPrivateKey({ key: jwk as never, format: "jwk" });
    const hash = alg === "EdDSA" ? null : "sha256";
    const options = alg === "ES256"
      ? { key, dsaEncoding: "ieee-p1363" as const }
      : alg === "PS256"
      ? { key, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : key;
    nodeCrypto.sign(hash, data, options as never);
    ops.push({ name: `${alg} sign`, alg, via: "node:crypto (sync)", op: async () => nodeCrypto.sign(hash, data, options as never) });
  } catch (e) {
    ops.push({ name: `${alg} sign`, alg, via: `node:crypto: unavailable (${(e as Error).message.split("\n")[0]})`, op: async () => {} });
  }
}
const cpu: number[][] = ops.map(() => []);
const rate: number[][] = ops.map(() => []);
for (const o of ops) await measureOps(o.op, MS / 3);
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < ops.length; k++) {
    const i = (k + r) % ops.length;
    const m = await measureOps(ops[i]!.op, MS);
    rate[i]!.push(m.opsPerSecond);
    if (m.cpuUs !== undefined) cpu[i]!.push(m.cpuUs);
  }
}
const rows = ops.map((o, i) => ({ name: o.name, alg: o.alg, via: o.via, opsPerSecond: median(rate[i]!), cpuUs: cpu[i]!.length ? median(cpu[i]!) : undefined }));
console.log(JSON.stringify({ kind: "algorithms", runtime, rows }));
