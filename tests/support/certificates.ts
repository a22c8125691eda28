// X.509 certificates made at test time with WebCrypto and the DER writer: a CA, client
// certificates with each kind of subject alternative name, self-signed ones, a TLS server
// certificate for 127.0.0.1. Real enough that OpenSSL (node:https) verifies the chains.
import { encodeBase64 } from "../../src/encoding/base64.ts";
import { exportJwk, type Jwk } from "../../mod.ts";
import { parseIpAddress } from "../../src/x509/ip_address.ts";
import {
  bitString,
  bool,
  concat,
  explicit,
  ia5,
  implicit,
  nul,
  octets,
  oid,
  printable,
  seq,
  set,
  time,
  uint,
  utf8,
} from "./der_writer.ts";

export type KeyAlg = "ES256" | "ES384" | "EdDSA" | "RS256";

const NAMES: Record<string, string> = {
  CN: "2.5.4.3",
  L: "2.5.4.7",
  ST: "2.5.4.8",
  O: "2.5.4.10",
  OU: "2.5.4.11",
  C: "2.5.4.6",
  DC: "0.9.2342.19200300.100.1.25",
  UID: "0.9.2342.19200300.100.1.1",
  emailAddress: "1.2.840.113549.1.9.1",
  serialNumber: "2.5.4.5",
};

/** One attribute: [type name or OID, value]; C and serialNumber are PrintableString, emailAddress and DC IA5String, the rest UTF8String. */
export type Attribute = readonly [string, string];
/** An RDN: one attribute, or several (multi-valued). */
export type Rdn = Attribute | readonly Attribute[];

function attribute([type, value]: Attribute): Uint8Array {
  const id = NAMES[type] ?? type;
  const encoded = type === "C" || type === "serialNumber" ? printable(value) : type === "emailAddress" || type === "DC" ? ia5(value) : utf8(value);
  return seq(oid(id), encoded);
}

/** A Name from RDNs in certificate order (most significant first). */
export function name(rdns: readonly Rdn[]): Uint8Array {
  return seq(...rdns.map((rdn) => set(...(typeof rdn[0] === "string" ? [rdn as Attribute] : rdn as readonly Attribute[]).map(attribute))));
}

export interface AltNames {
  dns?: string[];
  uri?: string[];
  ip?: string[];
  email?: string[];
}

export function altNames(names: AltNames): Uint8Array {
  const enc = (s: string) => new TextEncoder().encode(s);
  return seq(
    ...(names.email ?? []).map((e) => implicit(1, enc(e))),
    ...(names.dns ?? []).map((d) => implicit(2, enc(d))),
    ...(names.uri ?? []).map((u) => implicit(6, enc(u))),
    ...(names.ip ?? []).map((ip) => implicit(7, parseIpAddress(ip)!)),
  );
}

export function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

const ALGORITHMS: Record<KeyAlg, { generate: AlgorithmIdentifier | RsaHashedKeyGenParams | EcKeyGenParams; sign: AlgorithmIdentifier | EcdsaParams; id: Uint8Array }> = {
  ES256: { generate: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" }, id: seq(oid("1.2.840.10045.4.3.2")) },
  ES384: { generate: { name: "ECDSA", namedCurve: "P-384" }, sign: { name: "ECDSA", hash: "SHA-384" }, id: seq(oid("1.2.840.10045.4.3.3")) },
  EdDSA: { generate: { name: "Ed25519" }, sign: { name: "Ed25519" }, id: seq(oid("1.3.101.112")) },
  RS256: {
    generate: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    sign: { name: "RSASSA-PKCS1-v1_5" },
    id: seq(oid("1.2.840.113549.1.1.11"), nul()),
  },
};

export interface TestKey {
  alg: KeyAlg;
  pair: CryptoKeyPair;
  /** The public key as a JWK. */
  jwk: Jwk;
  /** PKCS#8 PEM of the private key, for node:tls. */
  pem: string;
}

export async function makeKey(alg: KeyAlg = "ES256"): Promise<TestKey> {
  const pair = await crypto.subtle.generateKey(ALGORITHMS[alg].generate, true, ["sign", "verify"]) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  const { kty, crv, x, y, n, e } = await exportJwk(pair.publicKey);
  const jwk = Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined)) as Jwk;
  return { alg, pair, jwk, pem: pem("PRIVATE KEY", pkcs8) };
}

export function pem(label: string, der: Uint8Array): string {
  const b64 = encodeBase64(der);
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join("\n")}\n-----END ${label}-----\n`;
}

/** ECDSA's r || s as the DER Ecdsa-Sig-Value X.509 signatures use (RFC 3279 s2.2.3). */
function ecdsaDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return seq(uint(raw.subarray(0, half)), uint(raw.subarray(half)));
}

export async function sign(key: TestKey, data: Uint8Array): Promise<Uint8Array> {
  const raw = new Uint8Array(await crypto.subtle.sign(ALGORITHMS[key.alg].sign, key.pair.privateKey, data as Uint8Array<ArrayBuffer>));
  return key.alg === "ES256" || key.alg === "ES384" ? ecdsaDer(raw) : raw;
}

export interface TestCertificate {
  der: Uint8Array;
  pem: string;
  key: TestKey;
  subject: Uint8Array;
}

export interface CertificateOptions {
  subject: readonly Rdn[];
  /** The issuing CA; absent: self-signed. */
  issuer?: TestCertificate;
  key?: TestKey;
  alg?: KeyAlg;
  san?: AltNames;
  notBefore?: Date;
  notAfter?: Date;
  /** A CA certificate: basicConstraints cA and keyUsage keyCertSign. */
  ca?: boolean;
  /** extendedKeyUsage: client or server authentication. */
  usage?: "client" | "server";
  serial?: number | Uint8Array;
  /** Extra extensions, already encoded. */
  extensions?: Uint8Array[];
}

const HOUR = 3_600_000;

export async function issueCertificate(options: CertificateOptions): Promise<TestCertificate> {
  const key = options.key ?? await makeKey(options.alg ?? "ES256");
  const subject = name(options.subject);
  const signer = options.issuer?.key ?? key;
  const issuerName = options.issuer?.subject ?? subject;
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", key.pair.publicKey));
  const extensions: Uint8Array[] = [];
  if (options.ca) {
    extensions.push(extension("2.5.29.19", true, seq(bool(true))));
    // keyCertSign (bit 5) and cRLSign (bit 6): 0000011, one unused bit.
    extensions.push(extension("2.5.29.15", true, bitString(new Uint8Array([0x06]), 1)));
  } else {
    // digitalSignature (bit 0): one bit used, seven unused.
    extensions.push(extension("2.5.29.15", true, bitString(new Uint8Array([0x80]), 7)));
  }
  if (options.usage !== undefined) {
    extensions.push(extension("2.5.29.37", false, seq(oid(options.usage === "client" ? "1.3.6.1.5.5.7.3.2" : "1.3.6.1.5.5.7.3.1"))));
  }
  if (options.san !== undefined) extensions.push(extension("2.5.29.17", false, altNames(options.san)));
  extensions.push(...(options.extensions ?? []));
  const now = Date.now();
  const algorithm = ALGORITHMS[signer.alg].id;
  const tbs = seq(
    explicit(0, uint(2)),
    uint(options.serial ?? crypto.getRandomValues(new Uint8Array(8))),
    algorithm,
    issuerName,
    seq(time(options.notBefore ?? new Date(now - HOUR)), time(options.notAfter ?? new Date(now + 24 * HOUR))),
    subject,
    spki,
    explicit(3, seq(...extensions)),
  );
  const der = seq(tbs, algorithm, bitString(await sign(signer, tbs)));
  return { der, pem: pem("CERTIFICATE", der), key, subject };
}

/** A CA, and what tests usually need from it. */
export async function makeCa(cn = "m2m-oauth test CA"): Promise<TestCertificate> {
  return issueCertificate({ subject: [["O", "m2m-oauth tests"], ["CN", cn]], ca: true });
}

/** A TLS server certificate for 127.0.0.1 and localhost, issued by `ca`. */
export async function serverCertificate(ca: TestCertificate): Promise<TestCertificate> {
  return issueCertificate({ subject: [["CN", "localhost"]], issuer: ca, usage: "server", san: { dns: ["localhost"], ip: ["127.0.0.1"] } });
}

export { concat };
