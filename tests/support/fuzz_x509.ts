// Fuzz properties of the X.509 reader (src/x509/): random bytes, mutated real certificates
// (flipped, cut, inserted and deleted bytes, corrupted and over-long lengths, swapped
// tags), deep nesting and indefinite lengths, and the text forms around it (PEM and RFC
// 9440 byte sequences, RFC 4514 distinguished names, IP addresses). Never a throw other
// than the library's own error, never a hang (every case returns), and what is accepted
// is exactly what was given.
import assert from "node:assert/strict";
import fc from "fast-check";
import { type ClientCertificate, ConfigurationError } from "../../mod.ts";
import { authServer } from "./fixtures.ts";
import { sha256 } from "../../src/crypto/sha256.ts";
import { encodeBase64, encodeBase64Url } from "../../src/encoding/base64.ts";
import { type Certificate, MAX_CERTIFICATE_BYTES, parseCertificate } from "../../src/x509/certificate.ts";
import { CertificateError } from "../../src/x509/certificate_error.ts";
import { nameMatches, parseDistinguishedName } from "../../src/x509/distinguished_name.ts";
import { certificateBytes } from "../../src/x509/encoded_certificate.ts";
import { formatIpAddress, parseIpAddress, sameIpAddress } from "../../src/x509/ip_address.ts";
import { type Attribute, issueCertificate, makeCa, pem, type Rdn, type TestCertificate } from "./certificates.ts";
import { concat, lengthOctets, tlv } from "./der_writer.ts";
import type { FuzzProperty } from "./fuzz_properties.ts";

function count(statuses: Record<string, number>, key: string): void {
  statuses[key] = (statuses[key] ?? 0) + 1;
}

/** Parses, and allows only a Certificate or a CertificateError. */
function tryParse(bytes: Uint8Array, statuses: Record<string, number>): Certificate | undefined {
  try {
    const cert = parseCertificate(bytes);
    count(statuses, "parsed");
    return cert;
  } catch (e) {
    assert.ok(e instanceof CertificateError, `parseCertificate threw ${String(e)} (${(e as Error)?.constructor?.name})`);
    count(statuses, "CertificateError");
    return undefined;
  }
}

/** What a certificate that parsed must satisfy: it is the input, hashed as the input. */
function checkParsed(cert: Certificate, input: Uint8Array): void {
  assert.equal(cert.der, input);
  assert.equal(cert.thumbprint, encodeBase64Url(sha256(input)));
  assert.ok([1, 2, 3].includes(cert.version));
  assert.equal(typeof cert.subject.text, "string");
  for (const ip of cert.subjectAltNames.ip) assert.ok(ip.length === 4 || ip.length === 16);
}

let seeds: Promise<TestCertificate[]> | undefined;
/** Valid certificates of every key type and name kind, to mutate. */
function validCertificates(): Promise<TestCertificate[]> {
  return seeds ??= (async () => {
    const ca = await makeCa();
    return [
      ca,
      await issueCertificate({
        subject: [["C", "DE"], ["O", "Acme, Inc."], [["OU", "billing"], ["UID", "42"]], ["CN", "billing"]],
        issuer: ca,
        usage: "client",
        san: { dns: ["billing.example"], uri: ["spiffe://example.org/billing"], ip: ["10.0.0.1", "2001:db8::1"], email: ["ops@example.org"] },
      }),
      await issueCertificate({ subject: [["CN", "self-signed"]], alg: "EdDSA" }),
      await issueCertificate({ subject: [["DC", "example"], ["CN", "rsa"]], issuer: ca, alg: "RS256" }),
      await issueCertificate({ subject: [], issuer: ca, alg: "ES384", san: { dns: ["only.example"] } }),
    ];
  })();
}

/** Offsets of every element header in a DER buffer (walked iteratively, for mutating lengths and tags). */
function headerOffsets(der: Uint8Array): number[] {
  const offsets: number[] = [];
  const stack: [number, number][] = [[0, der.length]];
  while (stack.length > 0) {
    const [start, end] = stack.pop()!;
    let pos = start;
    while (pos + 2 <= end) {
      offsets.push(pos);
      const tag = der[pos]!;
      let length = der[pos + 1]!;
      let header = 2;
      if (length >= 0x80) {
        const n = length & 0x7f;
        length = 0;
        for (let i = 0; i < n; i++) length = length * 256 + der[pos + 2 + i]!;
        header += n;
      }
      if ((tag & 0x20) !== 0) stack.push([pos + header, pos + header + length]);
      pos += header + length;
    }
  }
  return offsets;
}

/** A mutation of a valid certificate, with what was done. */
function mutated(certs: readonly Uint8Array[]): fc.Arbitrary<{ bytes: Uint8Array; label: string }> {
  const base = fc.constantFrom(...certs);
  const at = (der: Uint8Array, i: number) => i % der.length;
  return fc.oneof(
    fc.tuple(base, fc.nat(), fc.integer({ min: 0, max: 7 })).map(([der, i, bit]) => {
      const b = der.slice();
      b[at(der, i)]! ^= 1 << bit;
      return { bytes: b, label: `bit ${bit} of byte ${at(der, i)}` };
    }),
    fc.tuple(base, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([der, i, v]) => {
      const b = der.slice();
      b[at(der, i)] = v;
      return { bytes: b, label: `byte ${at(der, i)} -> ${v}` };
    }),
    fc.tuple(base, fc.nat()).map(([der, i]) => ({ bytes: der.slice(0, at(der, i)), label: `cut at ${at(der, i)}` })),
    fc.tuple(base, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([der, i, extra]) => ({
      bytes: concat(der.subarray(0, at(der, i)), extra, der.subarray(at(der, i))),
      label: `insert ${extra.length} at ${at(der, i)}`,
    })),
    fc.tuple(base, fc.nat(), fc.integer({ min: 1, max: 8 })).map(([der, i, n]) => ({
      bytes: concat(der.subarray(0, at(der, i)), der.subarray(at(der, i) + n)),
      label: `delete ${n} at ${at(der, i)}`,
    })),
    // A length octet: made indefinite, long form for a short length, too long, reserved.
    fc.tuple(base, fc.nat(), fc.constantFrom(0x80, 0x81, 0x82, 0x84, 0x85, 0xff, 0x7f, 0x00)).map(([der, i, v]) => {
      const offsets = headerOffsets(der);
      const o = offsets[i % offsets.length]!;
      const b = der.slice();
      b[o + 1] = v;
      return { bytes: b, label: `length octet of element at ${o} -> 0x${v.toString(16)}` };
    }),
    // The same length written in a longer form than needed (not DER).
    fc.tuple(base, fc.nat()).map(([der, i]) => {
      const offsets = headerOffsets(der).filter((o) => der[o + 1]! < 0x80);
      const o = offsets[i % offsets.length]!;
      return { bytes: concat(der.subarray(0, o + 1), new Uint8Array([0x81, der[o + 1]!]), der.subarray(o + 2)), label: `non-minimal length at ${o}` };
    }),
    // A tag swapped for another.
    fc.tuple(base, fc.nat(), fc.constantFrom(0x30, 0x31, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x16, 0x17, 0x18, 0xa0, 0xa3, 0x1f, 0x00))
      .map(([der, i, tag]) => {
        const offsets = headerOffsets(der);
        const o = offsets[i % offsets.length]!;
        const b = der.slice();
        b[o] = tag;
        return { bytes: b, label: `tag at ${o} -> 0x${tag.toString(16)}` };
      }),
  );
}

/** Deep nesting, indefinite lengths, huge declared lengths, oversize input, random bytes. */
const hostile: fc.Arbitrary<{ bytes: Uint8Array; label: string }> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ bytes, label: "random bytes" })),
  fc.integer({ min: 1, max: 5000 }).map((depth) => {
    let inner: Uint8Array = new Uint8Array([0x05, 0x00]);
    for (let i = 0; i < depth; i++) inner = tlv(0x30, inner);
    return { bytes: inner, label: `${depth} nested SEQUENCEs` };
  }),
  fc.integer({ min: 1, max: 5000 }).map((depth) => ({
    bytes: new Uint8Array(Array.from({ length: depth * 2 }, (_, i) => (i % 2 === 0 ? 0x30 : 0x80))),
    label: `${depth} nested indefinite-length SEQUENCEs`,
  })),
  fc.constantFrom(0x84, 0x83, 0x82).map((n) => ({
    bytes: new Uint8Array([0x30, n, 0xff, 0xff, 0xff, 0xff].slice(0, 2 + (n & 0x7f))),
    label: "a length far past the end",
  })),
  fc.constant({ bytes: concat(new Uint8Array([0x30]), lengthOctets(MAX_CERTIFICATE_BYTES + 1), new Uint8Array(MAX_CERTIFICATE_BYTES + 1)), label: "oversize" }),
  fc.array(fc.constantFrom(0x30, 0x31, 0x02, 0x06, 0x03, 0x80, 0x81, 0x01, 0x00, 0xa0, 0xa3, 0x7f), { maxLength: 40 })
    .map((b) => ({ bytes: new Uint8Array(b), label: "structure-like bytes" })),
);

const derReader: FuzzProperty = {
  name: "X.509 reader: mutated certificates, deep nesting, bad lengths and tags, random bytes",
  async run(numRuns, seed) {
    const certs = (await validCertificates()).map((c) => c.der);
    const statuses: Record<string, number> = {};
    for (const der of certs) checkParsed(tryParse(der, statuses)!, der);
    fc.assert(
      fc.property(fc.oneof({ arbitrary: mutated(certs), weight: 3 }, { arbitrary: hostile, weight: 1 }), ({ bytes, label }) => {
        const cert = tryParse(bytes, statuses);
        if (cert !== undefined) checkParsed(cert, bytes);
        void label;
      }),
      { numRuns, seed },
    );
    return { cases: numRuns + certs.length, statuses };
  },
};

/** The text forms: PEM and RFC 9440 byte sequences, valid, damaged and random. */
const textForms: FuzzProperty = {
  name: "X.509 text forms: PEM and RFC 9440 byte sequences, damaged and random",
  async run(numRuns, seed) {
    const certs = await validCertificates();
    const statuses: Record<string, number> = {};
    const valid = fc.constantFrom(...certs).chain((c) =>
      fc.constantFrom(c.pem, `:${encodeBase64(c.der)}:`, `:${encodeBase64(c.der).replace(/=+$/, "")}:`, ` ${c.pem}\n`, pem("CERTIFICATE", c.der).replace(/\n/g, "\r\n"))
    );
    const damaged = fc.tuple(valid, fc.nat(), fc.constantFrom("", " ", "\n", ":", "=", "-", "*", "%", "\u00e9", "A", ",", ";")).map(([t, i, c]) => {
      const at = i % t.length;
      return t.slice(0, at) + c + t.slice(at + 1);
    });
    const text = fc.oneof(valid, damaged, damaged, fc.string({ unit: "binary", maxLength: 80 }), fc.constantFrom(":", "::", ": :", ":=:", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----"));
    fc.assert(
      fc.property(text, (t) => {
        let bytes: Uint8Array;
        try {
          bytes = certificateBytes(t);
        } catch (e) {
          assert.ok(e instanceof CertificateError, `certificateBytes threw ${String(e)}`);
          return void count(statuses, "refused form");
        }
        count(statuses, "decoded");
        const cert = tryParse(bytes, statuses);
        if (cert !== undefined) checkParsed(cert, bytes);
      }),
      { numRuns, seed },
    );
    return { cases: numRuns, statuses };
  },
};

/** Attribute values with every character RFC 4514 treats specially. */
const value = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.array(fc.constantFrom(..."ab ,+\"\\<>;=#é\u0000\u007f中\t".split("")), { minLength: 1, maxLength: 10 }).map((a) => a.join("")),
);
const attributeArb: fc.Arbitrary<Attribute> = fc.tuple(fc.constantFrom("CN", "O", "OU", "L", "C", "DC", "UID", "serialNumber", "1.2.3.4"), value)
  .filter(([type, v]) => (type !== "C" && type !== "serialNumber") || /^[\x20-\x7e]+$/.test(v))
  .filter(([type, v]) => type !== "DC" || /^[\x00-\x7f]+$/.test(v));
const rdnArb: fc.Arbitrary<Rdn> = fc.oneof(attributeArb, fc.array(attributeArb, { minLength: 2, maxLength: 3 }));

/**
 * Distinguished names: a certificate's subject written as RFC 4514 text parses back to a
 * name that matches it; random text either parses or is a ConfigurationError.
 */
const distinguishedNames: FuzzProperty = {
  name: "RFC 4514 names: subject text round-trips to a matching name; random text parses or is refused",
  async run(numRuns, seed) {
    const statuses: Record<string, number> = {};
    const key = (await validCertificates())[1]!.key;
    // Round trips through a real certificate: a fifth of the runs (each signs a certificate).
    await fc.assert(
      fc.asyncProperty(fc.array(rdnArb, { minLength: 1, maxLength: 4 }), async (rdns) => {
        const cert = parseCertificate((await issueCertificate({ subject: rdns, key })).der);
        const expected = parseDistinguishedName(cert.subject.text);
        assert.ok(nameMatches(cert.subject, expected), `${cert.subject.text} does not match itself`);
        count(statuses, "round trip");
      }),
      { numRuns: Math.max(10, Math.round(numRuns / 5)), seed },
    );
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.array(fc.constantFrom("CN", "cn", "O", "=", ",", "+", "\\", "\\2C", "\\zz", "#", "#0c03616263", " ", "a", "é", "1.2.3", "OID.1", "\""), { maxLength: 12 }).map((a) => a.join("")),
    );
    fc.assert(
      fc.property(text, (t) => {
        try {
          parseDistinguishedName(t);
          count(statuses, "parsed");
        } catch (e) {
          assert.ok(e instanceof ConfigurationError, `parseDistinguishedName threw ${String(e)}`);
          count(statuses, "refused");
        }
      }),
      { numRuns, seed },
    );
    return { cases: numRuns + Math.max(10, Math.round(numRuns / 5)), statuses };
  },
};

/** IP addresses: the text of any 4 or 16 octets parses back to them; random text never throws. */
const ipAddresses: FuzzProperty = {
  name: "IP addresses: format and parse round-trip; random text parses or is refused",
  // deno-lint-ignore require-await
  async run(numRuns, seed) {
    const statuses: Record<string, number> = {};
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.constant(new Uint8Array(16))),
        (bytes) => {
          const back = parseIpAddress(formatIpAddress(bytes));
          assert.ok(back !== undefined && sameIpAddress(back, bytes), formatIpAddress(bytes));
          count(statuses, "round trip");
        },
      ),
      { numRuns, seed },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 45 }), fc.array(fc.constantFrom("1", "ff", ":", "::", ".", "0", "255", "256", "%", "g"), { maxLength: 14 }).map((a) => a.join(""))), (t) => {
        const ip = parseIpAddress(t);
        count(statuses, ip === undefined ? "refused" : "parsed");
        if (ip !== undefined) assert.ok(ip.length === 4 || ip.length === 16);
      }),
      { numRuns, seed },
    );
    return { cases: 2 * numRuns, statuses };
  },
};

/**
 * The token endpoint of a server with mutual-TLS clients, given mutated and random
 * certificates by its clientCertificate source: never a 5xx or a throw, and a token only
 * for a certificate that reads as one naming the registered dNSName (the TLS layer, not
 * this reader, vouches for the signature), bound to exactly that certificate.
 */
const tokenEndpoint: FuzzProperty = {
  name: "mTLS token endpoint: mutated and random client certificates",
  async run(numRuns, seed) {
    const certs = await validCertificates();
    const statuses: Record<string, number> = {};
    const issuer = "https://as.example.com";
    const presented = new WeakMap<Request, ClientCertificate>();
    const server = authServer({
      issuer,
      clients: [{
        client_id: "tls",
        token_endpoint_auth_method: "tls_client_auth",
        tls_client_auth_san_dns: "billing.example",
        tls_client_certificate_bound_access_tokens: true,
        grant_types: ["client_credentials"],
      }],
      clientCertificate: (r) => presented.get(r),
    }).server;
    const input = fc.oneof(
      { arbitrary: mutated([certs[1]!.der]).map((m) => m.bytes), weight: 4 },
      { arbitrary: fc.constant(certs[1]!.der), weight: 1 },
      { arbitrary: hostile.map((h) => h.bytes), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(input, async (bytes) => {
        const request = new Request(`${issuer}/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "grant_type=client_credentials&client_id=tls",
        });
        presented.set(request, bytes);
        const res = await server.fetch(request);
        const text = await res.text();
        assert.ok(res.status < 500, `a ${res.status}: ${text}`);
        count(statuses, String(res.status));
        if (res.status !== 200) return;
        const cert = parseCertificate(bytes);
        assert.ok(cert.subjectAltNames.dns.some((d) => d.toLowerCase() === "billing.example"), "a token for a certificate without the registered name");
        const introspection = new Request(`${issuer}/introspect`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: `token=${(JSON.parse(text) as { access_token: string }).access_token}&client_id=tls`,
        });
        presented.set(introspection, bytes);
        const answer = (await (await server.fetch(introspection)).json()) as { cnf?: Record<string, string> };
        assert.equal(answer.cnf?.["x5t#S256"], cert.thumbprint);
      }),
      { numRuns, seed },
    );
    return { cases: numRuns, statuses };
  },
};

export const X509_PROPERTIES: readonly FuzzProperty[] = [derReader, textForms, distinguishedNames, ipAddresses, tokenEndpoint];
