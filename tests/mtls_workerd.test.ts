// Mutual TLS inside workerd, Cloudflare's runtime (through miniflare): the Worker reads the
// certificate with cloudflareClientCertificate, from request.cf.tlsClientAuth (passed as
// the `cf` of each request, as Cloudflare's edge sets it) and the Client-Cert header a
// transform rule would set. tls_client_auth, a bound token, and refusals when the header
// is not the connection's certificate.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { sha256 } from "../src/crypto/sha256.ts";
import { encodeBase64, encodeBase64Url } from "../src/encoding/base64.ts";
import { issueCertificate, makeCa } from "./support/certificates.ts";

const isNode = typeof (globalThis as { Deno?: unknown }).Deno === "undefined" &&
  typeof (globalThis as { Bun?: unknown }).Bun === "undefined";

const ca = await makeCa();
const cert = await issueCertificate({ subject: [["CN", "edge"]], issuer: ca, san: { dns: ["edge.example"] } });
const other = await issueCertificate({ subject: [["CN", "other"]], issuer: ca, san: { dns: ["edge.example"] } });
const hex = (b: Uint8Array) => Array.from(sha256(b), (x) => x.toString(16).padStart(2, "0")).join("");

/** What Cloudflare's edge puts in request.cf for a connection that presented `presented`. */
const cfFor = (presented: Uint8Array | undefined, verified = "SUCCESS") => ({
  tlsClientAuth: presented === undefined
    ? { certPresented: "0", certVerified: "NONE", certRevoked: "0", certFingerprintSHA256: "" }
    : { certPresented: "1", certVerified: verified, certRevoked: "0", certFingerprintSHA256: hex(presented) },
});

describe("mutual TLS inside workerd (miniflare): cloudflareClientCertificate", { skip: !isNode && "workerd is the runtime under test; driven once, from Node" }, () => {
  let mf: Miniflare;

  before(async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL("./fixtures/mtls_worker.ts", import.meta.url))],
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      write: false,
      logLevel: "silent",
    });
    mf = new Miniflare({ modules: true, script: bundle.outputFiles[0]!.text, compatibilityDate: "2025-09-01" });
    await mf.ready;
  });

  after(async () => {
    await mf?.dispose();
  });

  const token = (header: string | undefined, cf: unknown) =>
    mf.dispatchFetch("https://as.example.com/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(header === undefined ? {} : { "client-cert": header }) },
      body: "grant_type=client_credentials&client_id=edge-client",
      cf: cf as never,
    });
  const api = (access_token: string, header: string | undefined, cf: unknown) =>
    mf.dispatchFetch("https://api.example.com/", { headers: { authorization: `Bearer ${access_token}`, ...(header === undefined ? {} : { "client-cert": header }) }, cf: cf as never });

  test("tls_client_auth and a certificate-bound token, then the API with the same certificate, another, none", async () => {
    const header = `:${encodeBase64(cert.der)}:`;
    const res = await token(header, cfFor(cert.der));
    const body = (await res.json()) as { access_token: string };
    assert.equal(res.status, 200, JSON.stringify(body));
    const introspected = await mf.dispatchFetch("https://as.example.com/introspect", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "client-cert": header },
      body: `token=${body.access_token}&client_id=edge-client`,
      cf: cfFor(cert.der) as never,
    });
    assert.deepEqual(((await introspected.json()) as { cnf?: unknown }).cnf, { "x5t#S256": encodeBase64Url(sha256(cert.der)) });

    assert.deepEqual(await (await api(body.access_token, header, cfFor(cert.der))).json(), { client: "edge-client" });
    const otherHeader = `:${encodeBase64(other.der)}:`;
    const refused = [await api(body.access_token, otherHeader, cfFor(other.der)), await api(body.access_token, undefined, cfFor(undefined))];
    for (const r of refused) {
      assert.equal(r.status, 401);
      assert.match(r.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
      await r.arrayBuffer();
    }
  });

  test("refused: a header that is not the connection's certificate, a certificate Cloudflare did not verify, no header", async () => {
    const header = `:${encodeBase64(cert.der)}:`;
    // A header Cloudflare's fingerprint does not vouch for, or none, is no certificate: no client
    // authentication at all (401); a certificate whose chain Cloudflare did not verify fails (400).
    for (const [h, cf, status] of [[header, cfFor(other.der), 401], [header, cfFor(undefined), 401], [header, cfFor(cert.der, "FAILED:unable to get local issuer certificate"), 400], [undefined, cfFor(cert.der), 401]] as const) {
      const res = await token(h, cf);
      assert.equal(res.status, status);
      assert.equal(((await res.json()) as { error: string }).error, "invalid_client");
    }
  });
});
