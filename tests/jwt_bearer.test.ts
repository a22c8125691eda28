// The JWT bearer authorization grant (RFC 7523 s2.1, s3, s3.1) with ID-JAG-shaped assertions
// (draft-ietf-oauth-identity-assertion-authz-grant) minted by an identity provider the test
// starts on loopback (OIDC discovery document + JWK Set, keys generated at start): success,
// one refusal per rule, each RFC 7523 s3.1 error as a raw request, the policy hook, the
// plain RFC 7523 profile, events and metadata.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  type ClientRegistration,
  ConfigurationError,
  createAuthorizationServer,
  encodeBasicCredentials,
  type JwtBearerPolicy,
  type JwtBearerRequest,
  type ServerEvent,
  type ServerOptions,
} from "../mod.ts";
import { assertOAuthError, assertToken, tokenRequest } from "./helpers.ts";
import { authServer, fakeClock, INTROSPECT_URL, ISSUER, METADATA_URL, SECRET, TOKEN_URL } from "./support/fixtures.ts";
import { idJagClaims, JWT_BEARER_GRANT, mintIdJag } from "./support/id_jag.ts";
import { type PlatformIssuer, signingKey, startIssuer } from "./support/platform_issuer.ts";

const CHAT_API = "https://api.chat.example/";
const OTHER_API = "https://api.other.example/";

const WIKI: ClientRegistration = {
  client_id: "wiki",
  client_secret: SECRET,
  grant_types: [JWT_BEARER_GRANT],
  scope: "chat.read chat.history chat.write",
  allowed_resources: [CHAT_API, OTHER_API],
  default_resource: CHAT_API,
};
const OTHER: ClientRegistration = { ...WIKI, client_id: "other" };
const CC_ONLY: ClientRegistration = { ...WIKI, client_id: "cc-only", grant_types: ["client_credentials"] };
const PUBLIC: ClientRegistration = {
  client_id: "public-app",
  token_endpoint_auth_method: "none",
  grant_types: [JWT_BEARER_GRANT],
  scope: "chat.read",
};
const RS: ClientRegistration = { client_id: "chat-api", client_secret: SECRET, resource_server: CHAT_API };
const CLIENTS = [WIKI, OTHER, CC_ONLY, PUBLIC, RS];

/** Users of the IdP whose id starts with U0 may read chats, at the chat API only; others nothing. */
const policy: JwtBearerPolicy = (r) =>
  r.subject.startsWith("U0") ? { scope: "chat.read chat.history", resource: [CHAT_API] } : false;

interface Harness {
  idp: PlatformIssuer;
  stranger: PlatformIssuer;
  plain: PlatformIssuer;
  clock: ReturnType<typeof fakeClock>;
  events: ServerEvent[];
  asked: JwtBearerRequest[];
  options: ServerOptions;
  fetch(request: Request): Promise<Response>;
}

let h: Harness;

function makeServer(overrides: Partial<ServerOptions> = {}): { options: ServerOptions; fetch(request: Request): Promise<Response> } {
  const { options, fetch } = authServer({
    clock: h.clock.now,
    onEvent: (e) => void h.events.push(e),
    trustedIssuers: [
      { issuer: h.idp.issuer }, // keys through its discovery document; grantProfile id-jag by default
      { issuer: h.plain.issuer, jwksUri: h.plain.jwksUri, grantProfile: "jwt-bearer" },
    ],
    jwtBearerPolicy: (r) => (h.asked.push(r), policy(r)),
    ...overrides,
  }, CLIENTS);
  return { options, fetch };
}

before(async () => {
  const [idp, stranger, plain] = await Promise.all([startIssuer(), startIssuer({ alg: "ES256" }), startIssuer({ alg: "ES256" })]);
  // From the real time, so tokens dated by the issuers' (jose's) clock fit.
  h = { idp, stranger, plain, clock: fakeClock(Math.floor(Date.now() / 1000) * 1000), events: [], asked: [] } as unknown as Harness;
  Object.assign(h, makeServer());
});
after(async () => {
  await Promise.all([h.idp.stop(), h.stranger.stop(), h.plain.stop()]);
});

/** A jwt-bearer grant request from `client` (Basic) with `assertion`. */
function grantRequest(assertion: string | undefined, extra: Record<string, string> = {}, client = WIKI.client_id): Request {
  const body: Record<string, string> = { grant_type: JWT_BEARER_GRANT, ...extra };
  if (assertion !== undefined) body.assertion = assertion;
  return tokenRequest({ basic: [client, SECRET], body });
}

const claims = (over: Record<string, unknown> = {}, client_id = WIKI.client_id) => idJagClaims(h.idp.issuer, ISSUER, client_id, h.clock.now(), over);
const idJag = (over: Record<string, unknown> = {}, header: Record<string, unknown> = {}) => mintIdJag(h.idp, claims(over), header);

async function introspect(token: string): Promise<Record<string, unknown>> {
  const res = await h.fetch(tokenRequest({ url: INTROSPECT_URL, basic: [RS.client_id, SECRET], body: { token } }));
  return await res.json() as Record<string, unknown>;
}

describe("JWT bearer grant with an ID-JAG: success", () => {
  test("a client's access_token_lifetime never makes the token outlive the assertion", async () => {
    const long = { ...WIKI, access_token_lifetime: 3_600 };
    const server = makeServer({ clients: [long, RS] });
    const now = Math.floor(h.clock.now() / 1000);
    const assertion = await idJag({ exp: now + 120 });
    const body = await assertToken(await server.fetch(grantRequest(assertion)));
    assert.equal(body.expires_in, 120, "capped by the assertion's exp, not the client's 3600");
  });

  test("an ID-JAG for the client gets an access token for its subject, scope and resource", async () => {
    h.events.length = 0;
    const assertion = await idJag();
    const body = await assertToken(await h.fetch(grantRequest(assertion)));
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.scope, "chat.read chat.history");
    assert.ok(!("refresh_token" in body), "the draft's s4.4.3: no refresh token");
    assert.ok((body.expires_in as number) <= 300, "never longer than the assertion");
    const info = await introspect(body.access_token as string);
    assert.equal(info.active, true);
    assert.equal(info.sub, "U019488227");
    assert.equal(info.client_id, "wiki");
    assert.equal(info.aud, CHAT_API);
    // The policy saw the verified assertion, with what would be granted.
    const asked = h.asked.at(-1)!;
    assert.equal(asked.issuer, h.idp.issuer);
    assert.equal(asked.subject, "U019488227");
    assert.equal(asked.profile, "id-jag");
    assert.equal(asked.client.client_id, "wiki");
    assert.equal(asked.claims.email, "alice@acme.example");
    assert.deepEqual(asked.resource, [CHAT_API]);
    // The event names the issuer and the subject, and no event holds the assertion.
    const event = h.events.find((e) => e.type === "jwt_bearer_assertion");
    assert.deepEqual({ ...event, time: 0 }, {
      type: "jwt_bearer_assertion",
      time: 0,
      endpoint: "token",
      client_id: "wiki",
      result: "accepted",
      profile: "id-jag",
      issuer: h.idp.issuer,
      subject: "U019488227",
    });
    const issued = h.events.find((e) => e.type === "token_issued");
    assert.equal(issued?.type === "token_issued" && issued.grant_type, JWT_BEARER_GRANT);
    assert.equal(issued?.type === "token_issued" && issued.sub, "U019488227");
    assert.ok(!JSON.stringify(h.events).includes(assertion.split(".")[2]!));
  });

  test("aud as an array of exactly this issuer is accepted (s4.4.1)", async () => {
    await assertToken(await h.fetch(grantRequest(await idJag({ aud: [ISSUER] }))));
  });

  test("the granted scope is within the assertion's, the client's and the policy's", async () => {
    // The assertion allows chat.write, the client may have it, the policy does not.
    const body = await assertToken(await h.fetch(grantRequest(await idJag({ scope: "chat.read chat.write" }))));
    assert.equal(body.scope, "chat.read");
    // Asked for a part of the assertion's scope: that part.
    const part = await assertToken(await h.fetch(grantRequest(await idJag(), { scope: "chat.history" })));
    assert.equal(part.scope, "chat.history");
  });

  test("a scope beyond the assertion's is invalid_scope, and does not use the assertion up", async () => {
    const assertion = await idJag();
    await assertOAuthError(await h.fetch(grantRequest(assertion, { scope: "chat.write" })), 400, "invalid_scope");
    await assertToken(await h.fetch(grantRequest(assertion)));
  });

  test("a resource beyond the assertion's resource is invalid_target", async () => {
    await assertOAuthError(await h.fetch(grantRequest(await idJag(), { resource: OTHER_API })), 400, "invalid_target");
  });

  test("a resource the policy does not give the subject is invalid_target", async () => {
    await assertOAuthError(await h.fetch(grantRequest(await idJag({ resource: [CHAT_API, OTHER_API] }), { resource: OTHER_API })), 400, "invalid_target");
  });

  test("the policy may name the local subject", async () => {
    const server = makeServer({ jwtBearerPolicy: (r) => ({ scope: "chat.read", sub: `acme|${r.subject}` }) });
    const body = await assertToken(await server.fetch(grantRequest(await idJag())));
    assert.equal(body.scope, "chat.read");
  });
});

describe("JWT bearer grant with an ID-JAG: one refusal per rule (invalid_grant, RFC 7523 s3.1)", () => {
  const refusals: Array<[string, () => Promise<string>]> = [
    ["wrong typ (JWT)", () => idJag({}, { typ: "JWT" })],
    ["no typ", () => idJag({}, { typ: undefined })],
    ["typ of an access token", () => idJag({}, { typ: "at+jwt" })],
    ["aud another authorization server", () => idJag({ aud: "https://as.other.example" })],
    ["aud the token endpoint URL (the profile wants the issuer)", () => idJag({ aud: TOKEN_URL })],
    ["aud an array naming another party too", () => idJag({ aud: [ISSUER, "https://as.other.example"] })],
    ["client_id another client", () => idJag({ client_id: "other" })],
    ["no client_id", () => idJag({ client_id: undefined })],
    ["expired", () => idJag({ exp: Math.floor(h.clock.now() / 1000) - 120, iat: Math.floor(h.clock.now() / 1000) - 420 })],
    ["not valid yet (nbf)", () => idJag({ nbf: Math.floor(h.clock.now() / 1000) + 600 })],
    ["issued in the future (iat)", () => idJag({ iat: Math.floor(h.clock.now() / 1000) + 600, exp: Math.floor(h.clock.now() / 1000) + 700 })],
    ["lives longer than the issuer's maxLifetime", () => idJag({ exp: Math.floor(h.clock.now() / 1000) + 7200 })],
    ["no exp", () => idJag({ exp: undefined })],
    ["no sub", () => idJag({ sub: undefined })],
    ["no jti", () => idJag({ jti: undefined })],
    ["no iat", () => idJag({ iat: undefined })],
    ["unknown issuer", () => mintIdJag(h.stranger, idJagClaims(h.stranger.issuer, ISSUER, "wiki", h.clock.now()))],
    ["unknown key (a kid the issuer does not publish)", async () => h.idp.mint(claims(), { typ: "oauth-id-jag+jwt" }, await signingKey())],
    ["bad signature", async () => {
      const [head, body] = (await idJag()).split(".");
      const other = (await idJag()).split(".")[2];
      return `${head}.${body}.${other}`;
    }],
    ["alg none", async () => {
      const enc = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
      return `${enc({ alg: "none", typ: "oauth-id-jag+jwt" })}.${enc(claims())}.`;
    }],
    ["a malformed scope claim", () => idJag({ scope: ["chat.read"] })],
    ["a resource claim that is not a URI", () => idJag({ resource: "chat" })],
    ["not a JWT", () => Promise.resolve("not-a-jwt")],
    ["subject refused by the policy", () => idJag({ sub: "blocked-user" })],
  ];
  for (const [name, make] of refusals) {
    test(`${name} -> 400 invalid_grant`, async () => {
      const before = h.events.length;
      const res = await h.fetch(grantRequest(await make()));
      await assertOAuthError(res, 400, "invalid_grant");
      const event = h.events.slice(before).find((e) => e.type === "jwt_bearer_assertion");
      assert.equal(event?.type === "jwt_bearer_assertion" && event.result, "refused");
    });
  }

  test("a replayed jti -> invalid_grant (RFC 7523 s3 item 7)", async () => {
    const assertion = await idJag();
    await assertToken(await h.fetch(grantRequest(assertion)));
    await assertOAuthError(await h.fetch(grantRequest(assertion)), 400, "invalid_grant");
  });

  test("a client presenting another client's ID-JAG -> invalid_grant, and the owner can still use it", async () => {
    const assertion = await idJag();
    await assertOAuthError(await h.fetch(grantRequest(assertion, {}, OTHER.client_id)), 400, "invalid_grant");
    await assertToken(await h.fetch(grantRequest(assertion)));
  });

  test("an issuer whose keys cannot be fetched -> invalid_grant, never a 5xx", async () => {
    const idp = await startIssuer();
    try {
      idp.mode = "down";
      const server = makeServer({ trustedIssuers: [{ issuer: idp.issuer }] });
      const assertion = await mintIdJag(idp, idJagClaims(idp.issuer, ISSUER, "wiki", h.clock.now()));
      await assertOAuthError(await server.fetch(grantRequest(assertion)), 400, "invalid_grant");
    } finally {
      await idp.stop();
    }
  });

  test("a discovery document that names another issuer -> invalid_grant", async () => {
    const idp = await startIssuer();
    try {
      idp.mode = "lying-discovery";
      const server = makeServer({ trustedIssuers: [{ issuer: idp.issuer }] });
      const assertion = await mintIdJag(idp, idJagClaims(idp.issuer, ISSUER, "wiki", h.clock.now()));
      await assertOAuthError(await server.fetch(grantRequest(assertion)), 400, "invalid_grant");
    } finally {
      await idp.stop();
    }
  });
});

describe("JWT bearer grant: raw requests for each RFC 7523 s3.1 error", () => {
  const raw = (body: string, client = WIKI.client_id) => h.fetch(tokenRequest({ basic: [client, SECRET], body }));
  const grant = `grant_type=${encodeURIComponent(JWT_BEARER_GRANT)}`;

  test("assertion missing -> 400 invalid_request (RFC 7521 s4.1)", async () => {
    await assertOAuthError(await raw(grant), 400, "invalid_request");
  });
  test("assertion sent twice -> 400 invalid_request", async () => {
    const a = await idJag();
    await assertOAuthError(await raw(`${grant}&assertion=${a}&assertion=${a}`), 400, "invalid_request");
  });
  test("an empty assertion is no assertion -> 400 invalid_request", async () => {
    await assertOAuthError(await raw(`${grant}&assertion=`), 400, "invalid_request");
  });
  test("an oversize assertion -> 400 invalid_grant, or the body cap's 413, never a 5xx", async () => {
    const res = await raw(`${grant}&assertion=${"a".repeat(7000)}.${"b".repeat(100)}.c`);
    await assertOAuthError(res, 400, "invalid_grant");
  });
  test("assertion with a non-JSON payload -> 400 invalid_grant", async () => {
    await assertOAuthError(await raw(`${grant}&assertion=eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln`), 400, "invalid_grant");
  });
  test("each claim rule as a raw form: expired, wrong aud, unknown issuer, replay", async () => {
    const now = Math.floor(h.clock.now() / 1000);
    for (const a of [
      await idJag({ exp: now - 100, iat: now - 200 }),
      await idJag({ aud: "https://as.other.example" }),
      await mintIdJag(h.stranger, idJagClaims(h.stranger.issuer, ISSUER, "wiki", h.clock.now())),
    ]) {
      await assertOAuthError(await raw(`${grant}&assertion=${a}`), 400, "invalid_grant");
    }
    const once = await idJag();
    await assertToken(await raw(`${grant}&assertion=${once}`));
    await assertOAuthError(await raw(`${grant}&assertion=${once}`), 400, "invalid_grant");
  });
  test("a public client is refused (the draft's s8.1: confidential clients only)", async () => {
    const res = await h.fetch(tokenRequest({ body: { grant_type: JWT_BEARER_GRANT, client_id: PUBLIC.client_id, assertion: await idJag({}, {}) } }));
    await assertOAuthError(res, 401, "invalid_client");
  });
  test("a client not registered for the grant -> 400 unauthorized_client", async () => {
    await assertOAuthError(await h.fetch(grantRequest(await idJag(), {}, CC_ONLY.client_id)), 400, "unauthorized_client");
  });
  test("no client authentication -> 401 invalid_client: the assertion does not authenticate the client", async () => {
    const res = await h.fetch(tokenRequest({ body: { grant_type: JWT_BEARER_GRANT, assertion: await idJag() } }));
    assert.equal(res.status, 401);
    assert.equal((await res.json() as { error: string }).error, "invalid_client");
  });
  test("a wrong client secret -> 401 invalid_client, before the assertion is looked at", async () => {
    const assertion = await idJag();
    const res = await h.fetch(tokenRequest({ basic: [WIKI.client_id, "wrong"], body: { grant_type: JWT_BEARER_GRANT, assertion } }));
    await assertOAuthError(res, 401, "invalid_client");
    await assertToken(await h.fetch(grantRequest(assertion)));
  });
});

describe("JWT bearer grant: the plain RFC 7523 profile (grantProfile: jwt-bearer)", () => {
  const plainClaims = (over: Record<string, unknown> = {}) => {
    const now = Math.floor(h.clock.now() / 1000);
    return { iss: h.plain.issuer, sub: "workload-7", aud: ISSUER, jti: crypto.randomUUID(), iat: now, exp: now + 120, ...over };
  };

  test("a plain JWT from a jwt-bearer issuer is accepted, the client's default scope narrowed by the policy", async () => {
    const server = makeServer({ jwtBearerPolicy: (r) => (r.profile === "jwt-bearer" ? { scope: "chat.read" } : false) });
    const body = await assertToken(await server.fetch(grantRequest(await h.plain.mint(plainClaims(), { typ: "JWT" }), { scope: "chat.read" })));
    assert.equal(body.scope, "chat.read");
  });
  test("an ID-JAG typ from a jwt-bearer issuer is refused", async () => {
    await assertOAuthError(await h.fetch(grantRequest(await h.plain.mint(plainClaims(), { typ: "oauth-id-jag+jwt" }))), 400, "invalid_grant");
  });
  test("a client_id claim naming another client is refused", async () => {
    await assertOAuthError(await h.fetch(grantRequest(await h.plain.mint(plainClaims({ client_id: "other" })), { scope: "chat.read" })), 400, "invalid_grant");
  });
  test("aud another server is refused", async () => {
    await assertOAuthError(await h.fetch(grantRequest(await h.plain.mint(plainClaims({ aud: "https://as.other.example" })))), 400, "invalid_grant");
  });
});

describe("JWT bearer grant: configuration and metadata", () => {
  test("without jwtBearerPolicy the grant is unsupported and not advertised", async () => {
    const server = makeServer({ jwtBearerPolicy: undefined });
    await assertOAuthError(await server.fetch(grantRequest(await idJag())), 400, "unsupported_grant_type");
    const doc = await (await server.fetch(new Request(METADATA_URL))).json() as Record<string, unknown>;
    assert.ok(!(doc.grant_types_supported as string[]).includes(JWT_BEARER_GRANT));
    assert.equal(doc.authorization_grant_profiles_supported, undefined);
  });
  test("with it, the metadata lists the grant and the ID-JAG profile (the draft's s7.2)", async () => {
    const doc = await (await h.fetch(new Request(METADATA_URL))).json() as Record<string, unknown>;
    assert.ok((doc.grant_types_supported as string[]).includes(JWT_BEARER_GRANT));
    assert.deepEqual(doc.authorization_grant_profiles_supported, ["urn:ietf:params:oauth:grant-profile:id-jag"]);
  });
  test("only jwt-bearer issuers: the grant is listed, the ID-JAG profile is not", async () => {
    const server = makeServer({ trustedIssuers: [{ issuer: h.plain.issuer, jwksUri: h.plain.jwksUri, grantProfile: "jwt-bearer" }] });
    const doc = await (await server.fetch(new Request(METADATA_URL))).json() as Record<string, unknown>;
    assert.ok((doc.grant_types_supported as string[]).includes(JWT_BEARER_GRANT));
    assert.equal(doc.authorization_grant_profiles_supported, undefined);
  });
  test("jwtBearerPolicy without trustedIssuers is a ConfigurationError", () => {
    assert.throws(
      () => createAuthorizationServer({ issuer: ISSUER, clients: [WIKI], jwtBearerPolicy: () => false }),
      (e) => e instanceof ConfigurationError && /trustedIssuers/.test(e.message),
    );
  });
  test("a grantProfile other than id-jag or jwt-bearer is a ConfigurationError", () => {
    assert.throws(
      () => createAuthorizationServer({ issuer: ISSUER, clients: [WIKI], trustedIssuers: [{ issuer: "https://idp.example", grantProfile: "saml" as "id-jag" }] }),
      /grantProfile/,
    );
  });
  test("an ID-JAG is never a client assertion: its typ is not a plain JWT", async () => {
    const assertion = await idJag();
    const res = await h.fetch(tokenRequest({
      body: {
        grant_type: "client_credentials",
        client_id: "wiki",
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: assertion,
      },
    }));
    await assertOAuthError(res, 400, "invalid_client");
  });
  test("Basic credentials the MCP SDK's way work too", async () => {
    const res = await h.fetch(new Request(TOKEN_URL, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${encodeBasicCredentials("wiki", SECRET)}` },
      body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion: await idJag() }),
    }));
    await assertToken(res);
  });
});
