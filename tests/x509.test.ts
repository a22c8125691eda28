// The X.509 reader (src/x509/): certificates made at test time (and by openssl, when it is
// installed) read back field by field; DER that is not distinguished, truncated or
// malformed refused with a CertificateError; RFC 4514 names parsed and matched attribute
// by attribute; IP addresses compared as octets.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CertificateError, ConfigurationError, exportJwk, parseCertificate } from "../mod.ts";
import { sha256 } from "../src/crypto/sha256.ts";
import { encodeBase64, encodeBase64Url } from "../src/encoding/base64.ts";
import { nameMatches, parseDistinguishedName } from "../src/x509/distinguished_name.ts";
import { certificateBytes } from "../src/x509/encoded_certificate.ts";
import { formatIpAddress, parseIpAddress } from "../src/x509/ip_address.ts";
import { readName } from "../src/x509/name.ts";
import { DerReader } from "../src/x509/der.ts";
import { altNames, extension, issueCertificate, type KeyAlg, makeCa, makeKey, name, pem } from "./support/certificates.ts";
import { bitString, bool, concat, explicit, nul, octets, oid, seq, tlv, uint, utf8 } from "./support/der_writer.ts";

const ca = await makeCa();

describe("certificates made at test time read back", () => {
  test("subject, issuer, version, serial, validity, thumbprint", async () => {
    const notBefore = new Date(Date.UTC(2026, 0, 1, 0, 0, 0));
    const notAfter = new Date(Date.UTC(2051, 5, 30, 23, 59, 59)); // GeneralizedTime from 2050 (RFC 5280 s4.1.2.5)
    const made = await issueCertificate({
      subject: [["C", "DE"], ["O", "Acme, Inc."], [["OU", "billing"], ["UID", "42"]], ["CN", " lead#+trail "]],
      issuer: ca,
      serial: 0x0102ff,
      notBefore,
      notAfter,
    });
    const cert = parseCertificate(made.der);
    assert.equal(cert.version, 3);
    assert.equal(cert.serialNumber, "0102ff");
    assert.equal(cert.subject.text, "CN=\\ lead#\\+trail\\ ,OU=billing+UID=42,O=Acme\\, Inc.,C=DE");
    assert.equal(cert.issuer.text, "CN=m2m-oauth test CA,O=m2m-oauth tests");
    assert.equal(cert.notBefore, notBefore.getTime() / 1000);
    assert.equal(cert.notAfter, notAfter.getTime() / 1000);
    assert.equal(cert.thumbprint, encodeBase64Url(sha256(made.der)));
    assert.equal(cert.signatureAlgorithm, "1.2.840.10045.4.3.2");
  });

  test("each kind of subject alternative name", async () => {
    const made = await issueCertificate({
      subject: [["CN", "all-names"]],
      issuer: ca,
      san: { dns: ["a.example", "b.example"], uri: ["spiffe://example.org/ns/billing"], ip: ["192.0.2.7", "2001:db8::42"], email: ["ops@example.org"] },
    });
    const { subjectAltNames } = parseCertificate(made.der);
    assert.deepEqual(subjectAltNames.dns, ["a.example", "b.example"]);
    assert.deepEqual(subjectAltNames.uri, ["spiffe://example.org/ns/billing"]);
    assert.deepEqual(subjectAltNames.email, ["ops@example.org"]);
    assert.deepEqual(subjectAltNames.ip.map(formatIpAddress), ["192.0.2.7", "2001:db8::42"]);
  });

  for (const alg of ["ES256", "ES384", "EdDSA", "RS256"] as KeyAlg[]) {
    test(`the public key as a JWK, ${alg}: what WebCrypto exports`, async () => {
      const key = await makeKey(alg);
      const cert = parseCertificate((await issueCertificate({ subject: [["CN", alg]], key })).der);
      const { kty, crv, x, y, n, e } = await exportJwk(key.pair.publicKey);
      assert.deepEqual(cert.publicKey.jwk, Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined)));
    });
  }

  test("PEM and RFC 9440 byte sequences decode to the DER; anything else is refused", async () => {
    const made = await issueCertificate({ subject: [["CN", "forms"]], issuer: ca });
    const b64 = encodeBase64(made.der);
    for (const form of [made.pem, made.pem.replace(/\n/g, "\r\n"), `\n  ${made.pem}  \n`, `:${b64}:`, `:${b64.replace(/=+$/, "")}:`]) {
      assert.deepEqual(certificateBytes(form), made.der, form.slice(0, 40));
    }
    for (
      const bad of [
        `${made.pem}${made.pem}`, // two certificates
        made.pem.replace(/CERTIFICATE/g, "PUBLIC KEY"),
        made.pem.replace("-----END", "x-----END"),
        `:${b64}`,
        `:${b64}:;param=1`,
        `: ${b64}:`,
        `:${b64.slice(0, 10)} ${b64.slice(10)}:`,
        `"${b64}"`,
        b64, // bare base64: not a form the host hands over
        `:${b64.slice(0, 5)}*${b64.slice(6)}:`,
        "",
        ":=:",
        "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----",
        `:${"A".repeat(40_000)}:`,
      ]
    ) {
      assert.throws(() => parseCertificate(certificateBytes(bad)), CertificateError, bad.slice(0, 40));
    }
  });
});

// A certificate assembled from parts, for the encodings the builder never writes.
const alg = seq(oid("1.2.840.10045.4.3.2"));
const validity = seq(tlv(0x17, new TextEncoder().encode("260101000000Z")), tlv(0x17, new TextEncoder().encode("270101000000Z")));
const spki = new Uint8Array(await crypto.subtle.exportKey("spki", (await makeKey("ES256")).pair.publicKey));
interface Parts {
  version?: Uint8Array;
  serial?: Uint8Array;
  innerAlg?: Uint8Array;
  issuer?: Uint8Array;
  validity?: Uint8Array;
  subject?: Uint8Array;
  spki?: Uint8Array;
  tail?: Uint8Array[];
}
function assemble(p: Parts = {}): Uint8Array {
  const tbs = seq(
    p.version ?? explicit(0, uint(2)),
    p.serial ?? uint(7),
    p.innerAlg ?? alg,
    p.issuer ?? name([["CN", "issuer"]]),
    p.validity ?? validity,
    p.subject ?? name([["CN", "subject"]]),
    p.spki ?? spki,
    ...(p.tail ?? []),
  );
  return seq(tbs, alg, bitString(new Uint8Array(64)));
}
const ext = (...e: Uint8Array[]) => explicit(3, seq(...e));
const san = (v: Uint8Array) => extension("2.5.29.17", false, v);

describe("only DER, only a certificate", () => {
  test("a certificate assembled from parts reads", () => {
    assert.equal(parseCertificate(assemble()).subject.text, "CN=subject");
    assert.equal(parseCertificate(assemble({ version: new Uint8Array(0) })).version, 1);
  });

  const refusals: [string, () => Uint8Array, RegExp][] = [
    ["indefinite length", () => new Uint8Array([0x30, 0x80, 0x00, 0x00]), /indefinite length/],
    ["a long-form length under 128", () => concat(new Uint8Array([0x30, 0x81, 0x03]), uint(1)), /shortest form/],
    ["a length with a leading zero octet", () => concat(new Uint8Array([0x30, 0x82, 0x00, 0x03]), uint(1)), /shortest form/],
    ["a length past the end", () => new Uint8Array([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff]), /runs past the end/],
    ["a length of five octets", () => new Uint8Array([0x30, 0x85, 0, 0, 0, 0, 1, 0]), /too long/],
    ["trailing data after the certificate", () => concat(assemble(), new Uint8Array([0])), /after its last element/],
    ["truncated", () => assemble().slice(0, 100), /past the end|missing|truncated/],
    ["v1 written out (DER omits the default)", () => assemble({ version: explicit(0, uint(0)) }), /v1 is encoded/],
    ["an unknown version", () => assemble({ version: explicit(0, uint(3)) }), /unknown/],
    ["extensions in a v1 certificate", () => assemble({ version: new Uint8Array(0), tail: [ext(san(altNames({ dns: ["a"] })))] }), /not v3/],
    ["an extension twice", () => assemble({ tail: [ext(san(altNames({ dns: ["a"] })), san(altNames({ dns: ["b"] })))] }), /appears twice/],
    ["critical FALSE written out", () => assemble({ tail: [ext(seq(oid("2.5.29.17"), bool(false), octets(altNames({ dns: ["a"] }))))] }), /critical FALSE/],
    ["an empty extension list", () => assemble({ tail: [ext()] }), /empty list/],
    ["different inner and outer signature algorithms", () => assemble({ innerAlg: seq(oid("1.2.840.10045.4.3.3")) }), /differs/],
    ["a non-minimal INTEGER serial", () => assemble({ serial: tlv(0x02, new Uint8Array([0x00, 0x07])) }), /shortest form/],
    ["an empty INTEGER serial", () => assemble({ serial: tlv(0x02, new Uint8Array(0)) }), /empty INTEGER/],
    ["a non-minimal OID arc", () => assemble({ innerAlg: seq(tlv(0x06, new Uint8Array([0x2a, 0x80, 0x01]))) }), /differs|shortest form/],
    ["February 30", () => assemble({ validity: seq(tlv(0x17, new TextEncoder().encode("260230000000Z")), validity.subarray(15)) }), /not a valid date/],
    ["a time without seconds", () => assemble({ validity: seq(tlv(0x17, new TextEncoder().encode("2601010000Z")), validity.subarray(15)) }), /RFC 5280 form/],
    ["a local time", () => assemble({ validity: seq(tlv(0x18, new TextEncoder().encode("20260101000000")), validity.subarray(15)) }), /RFC 5280 form/],
    ["an iPAddress of 5 octets", () => assemble({ tail: [ext(san(seq(tlv(0x87, new Uint8Array(5)))))] }), /neither 4 nor 16/],
    ["an empty subjectAltName", () => assemble({ tail: [ext(san(seq()))] }), /no names/],
    ["an unknown GeneralName tag", () => assemble({ tail: [ext(san(seq(tlv(0x89, new Uint8Array(1)))))] }), /not a GeneralName/],
    ["a constructed dNSName", () => assemble({ tail: [ext(san(seq(tlv(0xa2, tlv(0x16, new Uint8Array([0x61]))))))] }), /not a GeneralName/],
    ["a dNSName that is not ASCII", () => assemble({ tail: [ext(san(seq(tlv(0x82, new Uint8Array([0xc3, 0xa9])))))] }), /outside the string type/],
    ["an empty RDN", () => assemble({ subject: seq(tlv(0x31, new Uint8Array(0))) }), /empty RDN/],
    ["a UTF8String that is not UTF-8", () => assemble({ subject: seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0c, new Uint8Array([0xff]))))) }), /not UTF-8/],
    ["an RSA key without NULL parameters", () => assemble({ spki: seq(seq(oid("1.2.840.113549.1.1.1")), bitString(seq(uint(3), uint(3)))) }), /must be NULL/],
    ["an EC point of the wrong size", () => assemble({ spki: seq(seq(oid("1.2.840.10045.2.1"), oid("1.2.840.10045.3.1.7")), bitString(new Uint8Array([4, 1, 2]))) }), /wrong size/],
    ["a BOOLEAN that is neither 0x00 nor 0xFF", () => assemble({ tail: [ext(seq(oid("2.5.29.17"), tlv(0x01, new Uint8Array([1])), octets(altNames({ dns: ["a"] }))))] }), /BOOLEAN/],
    ["more than the size cap", () => concat(new Uint8Array([0x30, 0x82, 0x40, 0x01]), new Uint8Array(0x4001)), /more than 16384 bytes/],
  ];
  for (const [what, make, message] of refusals) {
    test(`refused: ${what}`, () => {
      assert.throws(() => parseCertificate(make()), (e: unknown) => e instanceof CertificateError && message.test(e.message));
    });
  }

  test("refused: a multi-byte tag (the reader supports none)", () => {
    assert.throws(() => new DerReader(new Uint8Array([0x1f, 0x81, 0x01, 0x00])).next("x"), /multi-byte tags/);
  });

  test("an unknown key algorithm reads, without a JWK; an unknown extension is skipped", () => {
    const cert = parseCertificate(assemble({
      spki: seq(seq(oid("1.2.3.4"), nul()), bitString(new Uint8Array([1, 2, 3]))),
      tail: [ext(extension("1.2.3.5", true, utf8("x")), san(altNames({ uri: ["urn:x"] })))],
    }));
    assert.equal(cert.publicKey.jwk, undefined);
    assert.equal(cert.publicKey.algorithm, "1.2.3.4");
    assert.deepEqual(cert.subjectAltNames.uri, ["urn:x"]);
  });
});

describe("RFC 4514 names", () => {
  const subject = (rdns: Parameters<typeof name>[0]) => readName(new DerReader(name(rdns)).next("name"), "subject");

  test("a value that is not a string is written as #hex of its DER", () => {
    const der = seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x04, new Uint8Array([1, 2])))));
    assert.equal(readName(new DerReader(der).next("n"), "n").text, "CN=#04020102");
  });

  const cases: [string, Parameters<typeof name>[0], string, boolean][] = [
    ["exact", [["O", "Acme"], ["CN", "billing"]], "CN=billing,O=Acme", true],
    ["attribute names and values ignore case", [["O", "Acme"], ["CN", "billing"]], "cn=BILLING,o=acme", true],
    ["spaces around separators and insignificant spaces", [["O", "Acme  Corp"], ["CN", "billing"]], "CN = billing ,  O=Acme Corp", true],
    ["an escaped comma is part of the value", [["O", "Acme, Inc."], ["CN", "billing"]], "CN=billing,O=Acme\\, Inc.", true],
    ["hex-escaped UTF-8", [["CN", "Müller"]], "CN=M\\C3\\BCller", true],
    ["a dotted OID for the type", [["CN", "billing"]], "2.5.4.3=billing", true],
    ["#hex compares the DER", [["CN", "ab"]], "CN=#0C026162", true],
    ["#hex of another string type does not match", [["CN", "ab"]], "CN=#13026162", false],
    ["multi-valued RDNs compare as sets", [[["OU", "billing"], ["UID", "42"]], ["CN", "x"]], "CN=x,UID=42+OU=billing", true],
    ["order of RDNs matters", [["O", "Acme"], ["CN", "billing"]], "O=Acme,CN=billing", false],
    ["one RDN more", [["O", "Acme"], ["CN", "billing"]], "CN=billing,O=Acme,C=DE", false],
    ["one RDN less", [["C", "DE"], ["O", "Acme"], ["CN", "billing"]], "CN=billing,O=Acme", false],
    ["a comma inside a value is not a separator", [["CN", "billing,O=Acme"]], "CN=billing,O=Acme", false],
    ["another value", [["CN", "billing"]], "CN=billing2", false],
    ["another type", [["CN", "billing"]], "O=billing", false],
    ["a multi-valued RDN is not two RDNs", [[["OU", "a"], ["CN", "b"]]], "CN=b,OU=a", false],
  ];
  for (const [what, rdns, text, matches] of cases) {
    test(`${matches ? "matches" : "does not match"}: ${what}`, () => {
      assert.equal(nameMatches(subject(rdns), parseDistinguishedName(text)), matches, `${subject(rdns).text} vs ${text}`);
    });
  }

  for (const bad of ["", "CN", "CN=a,", "=a", "XX=a", "CN=a;O=b", "CN=a\\", "CN=a\\zz", "CN=a\"b", "CN=#abc", "CN=\\C3", "01.2=a", "CN=a,,O=b"]) {
    test(`not a distinguished name: ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseDistinguishedName(bad), ConfigurationError);
    });
  }
});

describe("IP addresses", () => {
  test("forms of one address parse to the same octets", () => {
    const one = parseIpAddress("2001:db8::1");
    for (const form of ["2001:DB8:0:0:0:0:0:1", "2001:db8:0::1", "2001:0db8:0000:0000:0000:0000:0000:0001"]) {
      assert.deepEqual(parseIpAddress(form), one, form);
    }
    assert.deepEqual(parseIpAddress("::ffff:192.0.2.1"), new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 192, 0, 2, 1]));
    assert.deepEqual(parseIpAddress("192.0.2.1"), new Uint8Array([192, 0, 2, 1]));
  });
  for (const bad of ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.4/24", "[::1]", "fe80::1%eth0", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "::1.2.3.4:1", "1.2.3.4::"]) {
    test(`not an IP address: ${JSON.stringify(bad)}`, () => assert.equal(parseIpAddress(bad), undefined));
  }
  test("RFC 5952 text form", () => {
    assert.equal(formatIpAddress(parseIpAddress("2001:db8:0:0:1:0:0:1")!), "2001:db8::1:0:0:1");
    assert.equal(formatIpAddress(parseIpAddress("::")!), "::");
    assert.equal(formatIpAddress(parseIpAddress("1:0:2:0:3:0:4:0")!), "1:0:2:0:3:0:4:0");
  });
});

// Certificates made by another implementation: openssl, when installed.
const openssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
})();
if (!openssl) console.warn("SKIPPED: openssl is not installed; the certificates made by openssl are not read");

describe("certificates made by openssl", { skip: !openssl && "openssl is not installed" }, () => {
  test("subject (RFC 2253 form), names and SHA-256 fingerprint agree with openssl's", () => {
    const dir = mkdtempSync(join(tmpdir(), "m2m-x509-"));
    try {
      const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" }).toString();
      run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "c.pem", "-days", "2",
        "-subj", "/C=DE/O=Acme, Inc./OU=billing/CN=billing.example", "-addext",
        "subjectAltName=DNS:billing.example,URI:spiffe://example.org/billing,IP:10.1.2.3,IP:2001:db8::7,email:ops@example.org");
      const cert = parseCertificate(certificateBytes(readFileSync(join(dir, "c.pem"), "utf8")));
      const subject = run("x509", "-in", "c.pem", "-noout", "-subject", "-nameopt", "RFC2253").trim().replace(/^subject=/, "");
      assert.equal(cert.subject.text, subject);
      assert.ok(nameMatches(cert.subject, parseDistinguishedName(subject)));
      const fingerprint = run("x509", "-in", "c.pem", "-noout", "-fingerprint", "-sha256").trim().split("=")[1]!.replace(/:/g, "").toLowerCase();
      assert.equal(Array.from(sha256(cert.der), (b) => b.toString(16).padStart(2, "0")).join(""), fingerprint);
      assert.deepEqual(cert.subjectAltNames.dns, ["billing.example"]);
      assert.deepEqual(cert.subjectAltNames.uri, ["spiffe://example.org/billing"]);
      assert.deepEqual(cert.subjectAltNames.ip.map(formatIpAddress), ["10.1.2.3", "2001:db8::7"]);
      assert.deepEqual(cert.subjectAltNames.email, ["ops@example.org"]);
      assert.equal(cert.publicKey.jwk?.kty, "RSA");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

void pem;
