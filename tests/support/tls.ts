// Real TLS for the mutual-TLS tests: a node:https server (requestCert) bridged to a fetch
// handler that also gets the TLS socket, a plain node:http server for what sits behind a
// proxy, and a fetch over node:https that presents a client certificate (the customFetch
// oauth4webapi and openid-client take for mTLS). Test code only.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { TLSSocket } from "node:tls";
import { Buffer } from "node:buffer";

export type Handler = (request: Request, incoming: IncomingMessage) => Promise<Response>;

export interface Listening {
  origin: string;
  port: number;
  close(): Promise<void>;
}

async function toRequest(incoming: IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const method = incoming.method ?? "GET";
  let body: Uint8Array | undefined;
  if (method !== "GET" && method !== "HEAD") {
    const chunks: Uint8Array[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Uint8Array);
    body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      body.set(c, at);
      at += c.length;
    }
  }
  return new Request(`${origin}${incoming.url ?? "/"}`, { method, headers, body: body as Uint8Array<ArrayBuffer> | undefined });
}

async function send(response: Response, out: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  out.writeHead(response.status, { ...headers, connection: "close" });
  out.end(new Uint8Array(await response.arrayBuffer()));
}

function bridge(handler: Handler, origin: () => string) {
  return (incoming: IncomingMessage, out: ServerResponse) => {
    toRequest(incoming, origin())
      .then((request) => handler(request, incoming))
      .then((response) => send(response, out))
      .catch((e) => {
        out.writeHead(599, { connection: "close" });
        out.end(String(e));
      });
  };
}

function listening(server: http.Server | https.Server, scheme: string): Promise<Listening> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        origin: `${scheme}://127.0.0.1:${port}`,
        port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

export interface TlsServerOptions {
  key: string;
  cert: string;
  /** The CA client certificates are validated against. */
  ca: string;
  /** false: certificates the CA did not issue complete the handshake too (socket.authorized is false). */
  rejectUnauthorized: boolean;
}

/** An https server asking every client for a certificate; `handler` gets the Request and the IncomingMessage (its socket). */
export async function serveHttps(options: TlsServerOptions, handler: Handler): Promise<Listening> {
  let origin = "";
  const server = https.createServer({ ...options, requestCert: true }, bridge(handler, () => origin));
  const l = await listening(server, "https");
  origin = l.origin;
  return l;
}

/** A plain http server on loopback (the server behind a TLS-terminating proxy). */
export async function serveHttp(handler: Handler): Promise<Listening> {
  let origin = "";
  const server = http.createServer(bridge(handler, () => origin));
  const l = await listening(server, "http");
  origin = l.origin;
  return l;
}

/**
 * A TLS-terminating reverse proxy on loopback (RFC 9440 s2.4): TLS in (asking for a client
 * certificate, validated against `ca`), HTTP out to `upstream`. It removes every
 * `Client-Cert` and `Client-Cert-Chain` a client sent, and sets `Client-Cert` to the
 * certificate of a validated connection as an RFC 8941 Byte Sequence.
 */
export async function serveProxy(options: Omit<TlsServerOptions, "rejectUnauthorized">, upstream: string): Promise<Listening> {
  const target = new URL(upstream);
  const server = https.createServer({ ...options, requestCert: true, rejectUnauthorized: false }, (incoming, out) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value === undefined || name === "client-cert" || name === "client-cert-chain") continue;
      headers[name] = value;
    }
    const socket = incoming.socket as TLSSocket;
    const raw = socket.authorized ? socket.getPeerCertificate().raw : undefined;
    if (raw !== undefined) headers["client-cert"] = `:${Buffer.from(raw).toString("base64")}:`;
    const forwarded = http.request(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers },
      (answer) => {
        out.writeHead(answer.statusCode ?? 502, { ...answer.headers, connection: "close" });
        answer.pipe(out);
      },
    );
    forwarded.on("error", (e) => {
      out.writeHead(502, { connection: "close" });
      out.end(String(e));
    });
    incoming.pipe(forwarded);
  });
  return listening(server, "https");
}

export interface ClientTls {
  /** The CA the server's certificate is validated against. */
  ca: string;
  /** The client certificate and its key (PEM); absent: no client certificate. */
  cert?: string;
  key?: string;
}

/** A fetch over node:https that presents `tls.cert` (one connection per request). */
export function mtlsFetch(tls: ClientTls): (input: string | URL | Request, init?: object) => Promise<Response> {
  return async (input, init = {}) => {
    // oauth4webapi and openid-client pass their own options object; it is a RequestInit in all but name.
    const request = new Request(input, init as RequestInit);
    const url = new URL(request.url);
    const body = request.body === null ? undefined : new Uint8Array(await request.arrayBuffer());
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    return new Promise<Response>((resolve, reject) => {
      const r = https.request(
        {
          host: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          method: request.method,
          headers,
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          agent: false,
        },
        (res) => {
          const chunks: Uint8Array[] = [];
          res.on("data", (c: Uint8Array) => chunks.push(c));
          res.on("end", () => {
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (value === undefined) continue;
              for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
            }
            const status = res.statusCode ?? 500;
            const bytes = Buffer.concat(chunks);
            resolve(new Response(status === 204 || status === 304 ? null : bytes, { status, headers: responseHeaders }));
          });
          res.on("error", reject);
        },
      );
      r.on("error", reject);
      r.end(body);
    });
  };
}

/**
 * Whether this runtime's node:https server exposes the client certificate. Node and Deno
 * do; Bun's node:https socket has no getPeerCertificate (its node:tls does), and Bun.serve
 * has no API for it.
 */
export const httpsPeerCertificates: true | string = typeof (globalThis as { Bun?: unknown }).Bun === "undefined"
  ? true
  : "Bun's node:https server gives no access to the client certificate (its socket has no getPeerCertificate; Bun.serve has no API for it)";
