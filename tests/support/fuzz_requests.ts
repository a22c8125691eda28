// Arbitraries for fuzzing the token endpoint: whole requests built from a valid one and then
// mutated (methods, URLs, headers, content types, Basic headers, form bodies with repeated,
// huge, prototype-named and badly encoded parameters, invalid UTF-8, and bodies that arrive
// in chunks, break off, never end or stall). Each generated request knows whether it carries
// the right secret, which is the oracle for "no token for a wrong secret".
import fc from "fast-check";
import { encodeBasicCredentials } from "../../mod.ts";
import { ISSUER } from "./fixtures.ts";

export { ISSUER };
export const SECRET = "Qw3rTy8uIo0pAs2dFg4hJk6lZx9cVb1nM7-_Lp5";
export const BASIC_ID = "fuzz-basic";
export const POST_ID = "fuzz-post";
/** An id that needs RFC 6749 App. B form-encoding. */
export const AWKWARD_ID = "fz:a+b %c&é";

/** How the body reaches the handler. */
export type Delivery = "string" | "bytes" | "chunks" | "truncated" | "endless" | "stall" | "textChunks";

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body: Uint8Array<ArrayBuffer>;
  delivery: Delivery;
  chunkSizes: number[];
  /** Whether the right secret, unmutated, was put in some credential position. */
  carriesRightSecret: boolean;
  label: string;
}

const PROTO_NAMES = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"];
/** Names the endpoint ignores: extra parameters that must change nothing. */
const IGNORED_NAMES = ["audience", "foo", "x", "state", "", ...PROTO_NAMES];
/** Names the endpoint reads: sending them again is a repeat, or a second credential. */
const READ_NAMES = ["grant_type", "scope", "client_id", "client_secret", "resource", "client_assertion", "client_assertion_type"];

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const latin1 = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 60 });
const anyText = fc.oneof(printable, fc.string({ unit: "binary", maxLength: 30 }), fc.string({ unit: "grapheme", maxLength: 20 }));

const secretChoice = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ secret: SECRET, right: true }) },
  { weight: 1, arbitrary: fc.constant({ secret: SECRET + "x", right: false }) },
  { weight: 1, arbitrary: fc.constant({ secret: SECRET.slice(0, -1), right: false }) },
  { weight: 1, arbitrary: fc.constant({ secret: SECRET.toUpperCase(), right: false }) },
  { weight: 1, arbitrary: anyText.map((secret) => ({ secret, right: secret === SECRET })) },
  { weight: 1, arbitrary: fc.constant({ secret: "", right: false }) },
);
const clientChoice = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(BASIC_ID, POST_ID, AWKWARD_ID) },
  { weight: 2, arbitrary: fc.constantFrom("unknown-client", "", "fuzz-basic\u0000", "FUZZ-BASIC", ...PROTO_NAMES) },
  // Ids no store can hold (issue 17): a NUL inside a real id, past the 512-byte limit.
  { weight: 1, arbitrary: fc.constantFrom("fuzz-\u0000basic", "\u0000", "x".repeat(513), "é".repeat(257), "x".repeat(3000), BASIC_ID + "x".repeat(600)) },
  { weight: 1, arbitrary: anyText },
);
const scopeChoice = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.constantFrom("read", "write read", "read read", "", "admin", "read  write", " read", "re\"ad", "réad") },
  { weight: 1, arbitrary: anyText },
);

/** Percent-encodes every byte of the UTF-8 form, or leaves characters raw, or mixes. */
const encodeComponent = (s: string, style: number): string => {
  if (style === 0) return new URLSearchParams({ x: s }).toString().slice(2);
  if (style === 1) return s;
  return [...new TextEncoder().encode(s)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
};

const pairArb = fc.record({
  name: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...IGNORED_NAMES) },
    { weight: 1, arbitrary: fc.constantFrom(...READ_NAMES) },
    { weight: 1, arbitrary: anyText },
  ),
  value: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom("client_credentials", "read", "read write", "admin", "", "https://rs.example") },
    { weight: 2, arbitrary: anyText },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 12_000 }).map((n) => "A".repeat(n)) },
  ),
  style: fc.integer({ min: 0, max: 2 }),
});

/** Byte-level damage: invalid UTF-8, broken escapes, separators. */
const DAMAGE = [
  [0xff],
  [0xc3],
  [0xed, 0xa0, 0x80],
  [0xc0, 0xaf],
  [0xef, 0xbb, 0xbf],
  [0x25],
  [0x25, 0x7a, 0x7a],
  [0x25, 0x43, 0x33],
  [0x26],
  [0x3d],
  [0x2b],
  [0x00],
  [0x0a],
].map((b) => new Uint8Array(b));

type Mutation =
  | { kind: "insert" | "random"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; len: number }
  | { kind: "truncate"; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.constantFrom(...DAMAGE) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("random" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
);

function mutate(body: Uint8Array<ArrayBuffer>, m: Mutation): Uint8Array<ArrayBuffer> {
  const at = body.length === 0 ? 0 : m.at % (body.length + 1);
  if (m.kind === "truncate") return body.slice(0, at);
  if (m.kind === "delete") return new Uint8Array([...body.slice(0, at), ...body.slice(at + m.len)]);
  return new Uint8Array([...body.slice(0, at), ...m.bytes, ...body.slice(at)]);
}

const CONTENT_TYPES = [
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded;charset=UTF-8",
  "APPLICATION/X-WWW-FORM-URLENCODED; charset=\"utf-8\"",
  "application/x-www-form-urlencoded; charset=ISO-8859-1",
  "application/x-www-form-urlencoded; charset=utf-16",
  "application/x-www-form-urlencoded;;;charset",
  "application/json",
  "multipart/form-data; boundary=xyz",
  "text/plain",
  "application/x-www-form-urlencodedx",
  "",
];

/** A Basic header for (id, secret), optionally damaged. */
const authorization = fc.record({
  scheme: fc.constantFrom("Basic", "basic", "BASIC", "Bearer", "Digest", "Basic\t", "Basic  ", ""),
  damage: fc.oneof(
    { weight: 6, arbitrary: fc.constant("none") },
    { weight: 1, arbitrary: fc.constantFrom("truncate", "flip", "pad", "comma", "raw", "space", "empty") },
  ),
});

/**
 * Each dimension of a request has a valid form and a wild one. A request starts valid and
 * deviates in a few dimensions (none in about a third of cases), so the fuzzer reaches deep
 * into the endpoint instead of being refused at the first check every time.
 */
const DIMENSIONS = [
  "method",
  "url",
  "client",
  "secret",
  "placement",
  "auth",
  "pairs",
  "scope",
  "mutations",
  "contentType",
  "extraHeaders",
  "delivery",
  "peer",
] as const;
type Dimension = (typeof DIMENSIONS)[number];

const valid = {
  method: fc.constant("POST"),
  url: fc.constant(`${ISSUER}/token`),
  client: fc.constantFrom(BASIC_ID, POST_ID, AWKWARD_ID),
  secret: fc.constant({ secret: SECRET, right: true }),
  placement: fc.constant("registered"),
  auth: fc.record({ scheme: fc.constantFrom("Basic", "basic", "BASIC"), damage: fc.constant("none") }),
  pairs: fc.array(
    fc.record({ name: fc.constantFrom(...IGNORED_NAMES), value: fc.string({ maxLength: 12 }), style: fc.integer({ min: 0, max: 2 }) }),
    { maxLength: 3 },
  ),
  scope: fc.constantFrom(undefined, "read", "write read", "read read"),
  mutations: fc.constant<Mutation[]>([]),
  contentType: fc.constantFrom(...CONTENT_TYPES.slice(0, 3)),
  extraHeaders: fc.constant<Array<[string, string]>>([]),
  delivery: fc.constantFrom<Delivery>("string", "bytes", "chunks"),
  peer: fc.integer({ min: 0, max: 2000 }).map((n): number | null => n),
};

const wild = {
  method: fc.constantFrom("GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "post", "TRACEX", "M-SEARCH"),
  url: fc.constantFrom(
    `${ISSUER}/token?client_secret=${SECRET}`,
    `${ISSUER}/token?client_id=x&client_assertion=y`,
    "http://as.example.com/token",
    "http://127.0.0.1:8080/token",
    `${ISSUER}/token?a=%zz&b`,
    `${ISSUER}/token#frag`,
  ),
  client: clientChoice,
  secret: secretChoice,
  placement: fc.constantFrom("basic", "post", "both", "none", "query"),
  auth: authorization,
  pairs: fc.array(pairArb, { minLength: 1, maxLength: 4 }),
  scope: scopeChoice,
  mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
  contentType: fc.oneof(fc.constantFrom(...CONTENT_TYPES), latin1),
  extraHeaders: fc.array(
    fc.tuple(fc.constantFrom("x-custom", "content-length", "transfer-encoding", "authorization", "content-type", "dpop", "x-test-peer"), latin1),
    { minLength: 1, maxLength: 2 },
  ),
  delivery: fc.oneof(
    { weight: 3, arbitrary: fc.constant<Delivery>("truncated") },
    { weight: 2, arbitrary: fc.constant<Delivery>("endless") },
    { weight: 1, arbitrary: fc.constant<Delivery>("stall") },
    // A stream of strings, not bytes: what a host gets when it builds the Request itself.
    { weight: 1, arbitrary: fc.constant<Delivery>("textChunks") },
  ),
  peer: fc.constant(null),
};

const deviations = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Dimension[]>([]) },
  { weight: 4, arbitrary: fc.subarray([...DIMENSIONS], { minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.subarray([...DIMENSIONS], { minLength: 2, maxLength: 2 }) },
  { weight: 1, arbitrary: fc.subarray([...DIMENSIONS], { minLength: 3, maxLength: 6 }) },
);

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  valid: fc.record(valid),
  wild: fc.record(wild),
  deviate: deviations,
  grantFirst: fc.boolean(),
  chunkSizes: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 }),
}).map(({ valid, wild, deviate, grantFirst, chunkSizes }) => {
  const pick = <D extends Dimension>(d: D) => (deviate.includes(d) ? wild[d] : valid[d]) as (typeof valid)[D] | (typeof wild)[D];
  const client = pick("client");
  const placement = pick("placement");
  return {
    method: pick("method"),
    url: pick("url"),
    client,
    secret: pick("secret"),
    method2: placement === "registered" ? (client === POST_ID ? "post" : "basic") : placement,
    scope: pick("scope"),
    peer: pick("peer"),
    auth: pick("auth"),
    pairs: pick("pairs"),
    grantFirst,
    mutations: pick("mutations"),
    contentType: pick("contentType"),
    extraHeaders: pick("extraHeaders"),
    delivery: pick("delivery"),
    chunkSizes,
    deviate,
  };
}).map((g) => {
  const headers: Array<[string, string]> = [];
  let carriesRightSecret = false;
  const pairs: string[] = [];
  const addPair = (name: string, value: string, style = 0) => pairs.push(`${encodeComponent(name, style)}=${encodeComponent(value, style)}`);
  if (g.grantFirst) addPair("grant_type", "client_credentials");
  let basic = `${g.auth.scheme} ${encodeBasicCredentials(g.client, g.secret.secret)}`;
  switch (g.auth.damage) {
    case "truncate":
      basic = basic.slice(0, Math.max(0, basic.length - 3));
      break;
    case "flip":
      basic = basic.slice(0, -2) + (basic.endsWith("A") ? "B" : "A") + basic.slice(-1);
      break;
    case "pad":
      basic += "==";
      break;
    case "comma":
      basic = `${basic}, ${basic}`;
      break;
    case "raw":
      basic = `${g.auth.scheme} ${btoaLatin1(`${g.client}:${g.secret.secret}`)}`;
      break;
    case "space":
      basic = ` ${basic} `;
      break;
    case "empty":
      basic = "";
      break;
  }
  if (g.method2 === "basic" || g.method2 === "both") {
    headers.push(["authorization", basic]);
    carriesRightSecret ||= g.secret.right;
  }
  if (g.method2 === "post" || g.method2 === "both") {
    addPair("client_id", g.client);
    addPair("client_secret", g.secret.secret);
    carriesRightSecret ||= g.secret.right;
  }
  if (g.scope !== undefined) addPair("scope", g.scope);
  for (const p of g.pairs) addPair(p.name, p.value, p.style);
  if (!g.grantFirst) addPair("grant_type", "client_credentials");
  let url = g.url;
  if (g.method2 === "query") {
    url += `${url.includes("?") ? "&" : "?"}client_id=${encodeURIComponent(g.client)}&client_secret=${encodeURIComponent(g.secret.secret)}`;
  }
  // A pair named client_secret may carry the right secret by chance.
  if (g.pairs.some((p) => p.value === SECRET)) carriesRightSecret = true;
  let body = new TextEncoder().encode(pairs.join("&")) as Uint8Array<ArrayBuffer>;
  for (const m of g.mutations) body = mutate(body, m);
  if (g.contentType !== "") headers.push(["content-type", g.contentType]);
  // The fuzz server's callerKey reads this header, standing in for a peer address.
  if (g.peer !== null) headers.push(["x-test-peer", `10.0.${g.peer >> 8}.${g.peer & 255}`]);
  for (const h of g.extraHeaders) headers.push(h);
  return {
    method: g.method,
    url,
    headers,
    body,
    delivery: g.delivery,
    chunkSizes: g.chunkSizes,
    carriesRightSecret,
    label: `deviating in [${g.deviate.join(", ")}]: ${g.method} ${g.method2} ${g.delivery} ${g.auth.scheme}/${g.auth.damage} ${g.contentType}`,
  };
});

function btoaLatin1(s: string): string {
  // The raw (unencoded) form many clients send; characters beyond Latin-1 become '?'.
  return btoa(s.replace(/[^\x00-\xff]/g, "?"));
}

/** Builds the fetch Request, or `undefined` when the platform refuses to (an invalid header or method). */
export function toRequest(r: FuzzRequest): Request | undefined {
  const headers = new Headers();
  try {
    for (const [k, v] of r.headers) headers.append(k, v);
  } catch {
    return undefined;
  }
  const hasBody = r.method.toUpperCase() !== "GET" && r.method.toUpperCase() !== "HEAD";
  let body: BodyInit | undefined;
  if (hasBody) {
    if (r.delivery === "string") body = new TextDecoder().decode(r.body);
    else if (r.delivery === "bytes") body = r.body;
    else body = stream(r);
  }
  try {
    return new Request(r.url, { method: r.method, headers, body, duplex: "half" } as RequestInit);
  } catch {
    return undefined;
  }
}

function stream(r: FuzzRequest): ReadableStream<Uint8Array> {
  let offset = 0;
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (r.delivery === "endless") {
        controller.enqueue(new Uint8Array(512).fill(0x61));
        return;
      }
      if (offset >= r.body.length) {
        if (r.delivery === "stall") return new Promise(() => {}); // never ends
        controller.close();
        return;
      }
      const size = r.chunkSizes[i++ % r.chunkSizes.length]!;
      const chunk = r.body.slice(offset, offset + size);
      controller.enqueue(r.delivery === "textChunks" ? new TextDecoder().decode(chunk) as never : chunk);
      offset += size;
      if (r.delivery === "truncated" && offset >= r.body.length / 2) controller.error(new Error("connection reset"));
    },
  });
}
