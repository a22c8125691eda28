// The same floor written on node:http directly: no fetch Request or Response objects.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { CLIENT_ID, CLIENT_SECRET, SCOPE } from "../fixture.ts";

const SECRET_BYTES = Buffer.from(CLIENT_SECRET);
const HEADERS = { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" };

function error(res: ServerResponse, status: number, code: string, extra?: Record<string, string>): void {
  res.writeHead(status, extra ? { ...HEADERS, ...extra } : HEADERS).end(JSON.stringify({ error: code }));
}

function answer(req: IncomingMessage, res: ServerResponse, body: string): void {
  const form = new URLSearchParams(body);
  if (form.get("grant_type") !== "client_credentials") return error(res, 400, "unsupported_grant_type");
  const auth = req.headers.authorization ?? "";
  const decoded = Buffer.from(auth.slice(6), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const secret = Buffer.from(decoded.slice(colon + 1));
  const ok = secret.length === SECRET_BYTES.length && timingSafeEqual(secret, SECRET_BYTES);
  if (!auth.startsWith("Basic ") || colon === -1 || decoded.slice(0, colon) !== CLIENT_ID || !ok) {
    return error(res, 401, "invalid_client", { "www-authenticate": 'Basic realm="floor"' });
  }
  const scope = form.get("scope") ?? SCOPE;
  if (scope !== SCOPE) return error(res, 400, "invalid_scope");
  const access_token = randomBytes(32).toString("base64url");
  res.writeHead(200, HEADERS).end(JSON.stringify({ access_token, token_type: "Bearer", expires_in: 600, scope }));
}

/** The floor as a node:http request listener. */
export function floorNode(req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== "POST") return error(res, 405, "invalid_request", { allow: "POST" });
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => answer(req, res, chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString()));
}
