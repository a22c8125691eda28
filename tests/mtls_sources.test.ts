// The clientCertificate sources for the usual hosts, in process: the RFC 9440 Client-Cert
// header (strict: one Byte Sequence or no certificate), TLS sockets (node:https, node:tls),
// and Cloudflare's request.cf.tlsClientAuth with the header a transform rule sets (accepted
// only when its SHA-256 is the connection's fingerprint). Real TLS: mtls_tls.test.ts.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  clientCertificateHeader,
  cloudflareClientCertificate,
  ConfigurationError,
  socketClientCertificate,
  tlsSocketClientCertificates,
} from "../mod.ts";
import { sha256 } from "../src/crypto/sha256.ts";
import { encodeBase64 } from "../src/encoding/base64.ts";
import { assertOAuthError, assertToken } from "./helpers.ts";
import { authServer, ISSUER } from "./support/fixtures.ts";
import { issueCertificate, makeCa } from "./support/certificates.ts";

const ca = await makeCa();
const cert = await issueCertificate({ subject: [["CN", "billing"]], issuer: ca, san: { dns: ["billing.example"] } });
const other = await issueCertificate({ subject: [["CN", "other"]], issuer: ca });
const b64 = encodeBase64(cert.der);
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

const withHeaders = (headers: [string, string][]) => {
  const h = new Headers();
  for (const [name, value] of headers) h.append(name, value);
  return new Request("https://as.example.com/token", { headers: h });
};

describe("clientCertificateHeader (RFC 9440 s2.2): one Byte Sequence, or no certificate", () => {
  const source = clientCertificateHeader({ chainVerified: true });

  test("a Byte Sequence is the certificate, with the chain status the options say", () => {
    assert.deepEqual(source(withHeaders([["client-cert", `:${b64}:`]])), { certificate: cert.der, chainVerified: true });
    assert.deepEqual(source(withHeaders([["client-cert", `:${b64.replace(/=+$/, "")}:`]])), { certificate: cert.der, chainVerified: true });
    const unverified = clientCertificateHeader({ chainVerified: false });
    assert.deepEqual(unverified(withHeaders([["client-cert", `:${b64}:`]])), { certificate: cert.der, chainVerified: false });
    const perRequest = clientCertificateHeader({ chainVerified: (r) => r.headers.get("x-verify") === "SUCCESS", header: "x-client-cert" });
    assert.deepEqual(perRequest(withHeaders([["x-client-cert", `:${b64}:`], ["x-verify", "SUCCESS"]])), { certificate: cert.der, chainVerified: true });
    assert.deepEqual(perRequest(withHeaders([["x-client-cert", `:${b64}:`], ["x-verify", "FAILED:self signed"]])), { certificate: cert.der, chainVerified: false });
  });

  const refused: [string, [string, string][]][] = [
    ["no header", []],
    ["the header twice (joined with a comma)", [["client-cert", `:${b64}:`], ["client-cert", `:${b64}:`]]],
    ["a list", [["client-cert", `:${b64}:, :${b64}:`]]],
    ["parameters", [["client-cert", `:${b64}:;verified=1`]]],
    ["PEM", [["client-cert", cert.pem.replace(/\n/g, " ")]]],
    ["bare base64", [["client-cert", b64]]],
    ["URL-encoded PEM (nginx $ssl_client_escaped_cert)", [["client-cert", encodeURIComponent(cert.pem)]]],
    ["base64url instead of base64", [["client-cert", `:${b64.replace(/\+/g, "-").replace(/\//g, "_")}:`]]],
    ["a space inside", [["client-cert", `:${b64.slice(0, 20)} ${b64.slice(20)}:`]]],
    ["an empty Byte Sequence", [["client-cert", "::"]]],
    ["non-canonical trailing bits", [["client-cert", ":MB==:"]]],
    ["a string item", [["client-cert", `"${b64}"`]]],
  ];
  for (const [what, headers] of refused) {
    test(`no certificate: ${what}`, () => assert.equal(source(withHeaders(headers)), undefined));
  }

  test("chainVerified must be said; unknown options are refused", () => {
    assert.throws(() => clientCertificateHeader({} as never), ConfigurationError);
    assert.throws(() => clientCertificateHeader({ chainVerified: "yes" } as never), /chainVerified must be/);
    assert.throws(() => clientCertificateHeader({ chainVerified: true, trust: true } as never), /unknown clientCertificateHeader option 'trust'/);
    assert.throws(() => clientCertificateHeader({ chainVerified: true, header: "bad header" }), /header name/);
  });

  test("at the token endpoint, a malformed header is no certificate (401 invalid_client); another certificate is 400 invalid_client", async () => {
    const { server: as } = authServer(
      { clientCertificate: source },
      [{ client_id: "c", token_endpoint_auth_method: "tls_client_auth", tls_client_auth_san_dns: "billing.example", grant_types: ["client_credentials"] }],
    );
    const post = (value: string) =>
      as.fetch(new Request(`${ISSUER}/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "client-cert": value }, body: "grant_type=client_credentials&client_id=c" }));
    await assertToken(await post(`:${b64}:`));
    // No certificate and no other credential: no client authentication at all (401).
    await assertOAuthError(await post(`:${b64}:;x=1`), 401, "invalid_client");
    await assertOAuthError(await post(`:${encodeBase64(other.der)}:`), 400, "invalid_client");
  });
});

describe("TLS sockets (node:https, node:tls)", () => {
  const socket = (raw: Uint8Array | undefined, authorized: boolean) => ({ authorized, getPeerCertificate: () => (raw === undefined ? {} : { raw }) });

  test("the peer certificate's raw DER, chainVerified from socket.authorized", () => {
    assert.deepEqual(socketClientCertificate(socket(cert.der, true)), { certificate: cert.der, chainVerified: true });
    assert.deepEqual(socketClientCertificate(socket(cert.der, false)), { certificate: cert.der, chainVerified: false });
    assert.equal(socketClientCertificate(socket(undefined, false)), undefined); // Node answers {} without a certificate
    assert.equal(socketClientCertificate({ getPeerCertificate: () => null }), undefined); // a destroyed socket
    assert.equal(socketClientCertificate(undefined), undefined);
  });

  test("tlsSocketClientCertificates: the certificate of the socket a request was attached to", () => {
    const peers = tlsSocketClientCertificates();
    const a = peers.attach(new Request("https://as.example.com/token"), socket(cert.der, true));
    const b = new Request("https://as.example.com/token");
    assert.deepEqual(peers.clientCertificate(a), { certificate: cert.der, chainVerified: true });
    assert.equal(peers.clientCertificate(b), undefined);
  });
});

describe("Cloudflare: request.cf.tlsClientAuth and the header a transform rule sets from cert_rfc9440", () => {
  const source = cloudflareClientCertificate();
  const tlsClientAuth = (over: Record<string, string> = {}) => ({
    certPresented: "1",
    certVerified: "SUCCESS",
    certRevoked: "0",
    certFingerprintSHA256: hex(sha256(cert.der)),
    certSubjectDNRFC2253: "CN=billing",
    ...over,
  });
  const onCloudflare = (cf: unknown, header?: string) => {
    const r = new Request("https://as.example.com/token", { headers: header === undefined ? {} : { "client-cert": header } });
    Object.defineProperty(r, "cf", { value: cf });
    return r;
  };

  test("the header's certificate when its SHA-256 is the connection's; chainVerified is Cloudflare's verdict", () => {
    assert.deepEqual(source(onCloudflare({ tlsClientAuth: tlsClientAuth() }, `:${b64}:`)), { certificate: cert.der, chainVerified: true });
    assert.deepEqual(source(onCloudflare({ tlsClientAuth: tlsClientAuth({ certFingerprintSHA256: hex(sha256(cert.der)).toUpperCase() }) }, `:${b64}:`)), {
      certificate: cert.der,
      chainVerified: true,
    });
    for (const over of [{ certVerified: "FAILED:self signed certificate" }, { certRevoked: "1" }, { certVerified: "NONE" }] as Record<string, string>[]) {
      assert.deepEqual(source(onCloudflare({ tlsClientAuth: tlsClientAuth(over) }, `:${b64}:`)), { certificate: cert.der, chainVerified: false }, JSON.stringify(over));
    }
  });

  test("no certificate: another certificate in the header (a client's own), none presented, no header, not on Cloudflare", () => {
    assert.equal(source(onCloudflare({ tlsClientAuth: tlsClientAuth() }, `:${encodeBase64(other.der)}:`)), undefined);
    assert.equal(source(onCloudflare({ tlsClientAuth: tlsClientAuth({ certPresented: "0", certFingerprintSHA256: "" }) }, `:${b64}:`)), undefined);
    assert.equal(source(onCloudflare({ tlsClientAuth: tlsClientAuth() })), undefined);
    assert.equal(source(onCloudflare({}, `:${b64}:`)), undefined);
    assert.equal(source(new Request("https://as.example.com/token", { headers: { "client-cert": `:${b64}:` } })), undefined);
  });
});
