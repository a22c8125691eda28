// The one request every contender answers, and the one check of its answer.
//
// Every contender does the same work: a confidential client authenticating with
// client_secret_basic, asking for scope "read", getting an opaque Bearer token recorded in
// the contender's own in-memory storage, in a JSON response with Cache-Control: no-store.

export const CLIENT_ID = "bench-client";
/** A generated-looking secret: 43 base64url characters (256 bits), form-safe. */
export const CLIENT_SECRET = "q7Vb2nR5tWmZ7cL1pD9sF4hG6aQeUiOyTrEwXkJ0Y3M";
export const SCOPE = "read";
export const BODY = "grant_type=client_credentials&scope=read";
export const AUTHORIZATION = `Basic ${btoa(`${CLIENT_ID}:${CLIENT_SECRET}`)}`;
export const WRONG_AUTHORIZATION = `Basic ${btoa(`${CLIENT_ID}:not-the-secret-not-the-secret-not-the-sec`)}`;
export const CONTENT_TYPE = "application/x-www-form-urlencoded";
/** The path every server answers the token request on. */
export const TOKEN_PATH = "/token";
/** Loopback origin for in-process Requests (the library allows http on loopback only). */
export const ORIGIN = "http://127.0.0.1:8787";
export const TOKEN_URL = `${ORIGIN}${TOKEN_PATH}`;
/** SHA-256 of CLIENT_SECRET as the library stores it ("$sha256$" + base64url). */
export const CLIENT_SECRET_SHA256 = "$sha256$" + await (async () => {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(CLIENT_SECRET)));
  return btoa(String.fromCharCode(...d)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
})();

export const HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": CONTENT_TYPE,
  authorization: AUTHORIZATION,
});

const BODY_LENGTH = String(new TextEncoder().encode(BODY).length);

/**
 * A fresh token Request (a Request's body can be read once), with the headers a server
 * adapter gives it from the wire, Content-Length included.
 */
export function tokenRequest(authorization = AUTHORIZATION): Request {
  return new Request(TOKEN_URL, {
    method: "POST",
    headers: { "content-type": CONTENT_TYPE, "content-length": BODY_LENGTH, authorization },
    body: BODY,
  });
}

/** What a correct answer to the fixture request looks like; returns a reason, or undefined when correct. */
export function checkTokenAnswer(status: number, header: (name: string) => string | null | undefined, text: string): string | undefined {
  if (status !== 200) return `status ${status}: ${text.slice(0, 200)}`;
  if (!/no-store/.test(header("cache-control") ?? "")) return `cache-control is ${header("cache-control")}`;
  if (!/^application\/json/.test(header("content-type") ?? "")) return `content-type is ${header("content-type")}`;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 200)}`;
  }
  if (typeof body.access_token !== "string" || body.access_token.length < 32) return `no access_token: ${text}`;
  if (String(body.token_type).toLowerCase() !== "bearer") return `token_type ${body.token_type}`;
  if (typeof body.expires_in !== "number" || body.expires_in <= 0) return `expires_in ${body.expires_in}`;
  if (body.scope !== SCOPE) return `scope ${JSON.stringify(body.scope)}`;
  if ("refresh_token" in body && body.refresh_token !== undefined) return "a refresh token was issued";
  return undefined;
}

/** A wrong secret must be refused: 400 or 401 with error invalid_client, and no token. */
export function checkRefusal(status: number, text: string): string | undefined {
  if (status !== 401 && status !== 400) return `wrong secret got status ${status}: ${text.slice(0, 200)}`;
  if (!/invalid_client/.test(text)) return `wrong secret got ${text.slice(0, 200)}`;
  if (/access_token/.test(text)) return "wrong secret got a token";
  return undefined;
}
