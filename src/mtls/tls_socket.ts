/**
 * The client certificate of a TLS socket: Node's `https` and `tls` servers (and the same
 * modules in Deno; Bun's `node:tls`, not its `node:https`). The library imports no
 * `node:` module: the socket is described by the two members it reads, and the host's
 * adapter tells it which socket a `Request` came on.
 *
 * @module
 */

import type { ClientCertificate, ClientCertificateSource } from "./client_certificate.ts";

/**
 * The part of a `tls.TLSSocket` this library reads: whether the TLS layer validated the
 * peer's chain (`authorized`, set when the server has `requestCert` and a `ca`), and the
 * peer certificate, whose `raw` member is its DER.
 *
 * @example
 * ```ts
 * import type { TlsSocketLike } from "../../mod.ts";
 * declare const request: { socket: TlsSocketLike }; // a node:https IncomingMessage
 * const der = request.socket.getPeerCertificate()?.raw; // undefined without a client certificate
 * ```
 */
export interface TlsSocketLike {
  /** Whether the peer certificate was validated against the server's `ca` (node:tls). */
  readonly authorized?: boolean;
  /** The peer certificate; `raw` is its DER. Node answers `{}` when the client sent none. */
  getPeerCertificate(detailed?: boolean): { readonly raw?: Uint8Array } | null | undefined;
}

/**
 * The client certificate of a TLS socket, with `chainVerified` from the socket's
 * `authorized` flag, or `undefined` when the client presented none.
 *
 * @example A plain node:https server bridging to the library
 * ```ts
 * import { socketClientCertificate, type TlsSocketLike } from "../../mod.ts";
 * declare const incoming: { socket: TlsSocketLike };
 * const certificate = socketClientCertificate(incoming.socket); // { certificate: Uint8Array, chainVerified: true }
 * ```
 */
export function socketClientCertificate(socket: TlsSocketLike | undefined | null): ClientCertificate | undefined {
  if (socket === undefined || socket === null || typeof socket.getPeerCertificate !== "function") return undefined;
  const raw = socket.getPeerCertificate(false)?.raw;
  if (!(raw instanceof Uint8Array) || raw.length === 0) return undefined;
  // A copy: the socket's bytes may be a view into a buffer the runtime reuses.
  return { certificate: new Uint8Array(raw), chainVerified: socket.authorized === true };
}

/** Requests and the TLS sockets they came on; see {@link tlsSocketClientCertificates}. */
export interface TlsSocketClientCertificates {
  /** Remembers that `request` came on `socket`, and returns the request. */
  attach(request: Request, socket: TlsSocketLike | undefined | null): Request;
  /** The `clientCertificate` option: the certificate of the socket a request was attached to. */
  readonly clientCertificate: ClientCertificateSource;
}

/**
 * Connects a fetch adapter for Node's `https` server to the `clientCertificate` option: the
 * adapter's handler attaches each `Request` to the socket it arrived on, and the library
 * reads that socket's peer certificate when it needs it. The sockets are held weakly, by
 * request.
 *
 * Start the server with `requestCert: true` and your CA in `ca`. With
 * `rejectUnauthorized: true` only certificates your CA issued complete the handshake; with
 * `false` (needed for `self_signed_tls_client_auth` clients) others do too, and they are
 * marked `chainVerified: false` from the socket's `authorized` flag, so they can never
 * authenticate a `tls_client_auth` client.
 *
 * @example With @hono/node-server, whose fetch handler gets the IncomingMessage as env.incoming
 * ```ts
 * import { createServer } from "node:https";
 * import type { TLSSocket } from "node:tls";
 * import { serve } from "@hono/node-server";
 * import { createAuthorizationServer, tlsSocketClientCertificates } from "../../mod.ts";
 *
 * declare const tls: { key: string; cert: string; ca: string };
 * const peers = tlsSocketClientCertificates();
 * const server = createAuthorizationServer({ issuer: "https://auth.example.com", clients: [], clientCertificate: peers.clientCertificate });
 * serve({
 *   // node:https gives a TLSSocket, which the bindings type as a plain Socket.
 *   fetch: (request, env) => server.fetch(peers.attach(request, env.incoming.socket as TLSSocket)),
 *   createServer,
 *   serverOptions: { ...tls, requestCert: true, rejectUnauthorized: false },
 *   port: 8443,
 * });
 * ```
 */
export function tlsSocketClientCertificates(): TlsSocketClientCertificates {
  const sockets = new WeakMap<Request, TlsSocketLike>();
  return {
    attach(request, socket) {
      if (socket !== undefined && socket !== null) sockets.set(request, socket);
      return request;
    },
    clientCertificate: (request) => socketClientCertificate(sockets.get(request)),
  };
}
