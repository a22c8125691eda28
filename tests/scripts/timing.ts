// `npm run timing`: a measurement, not a test. It shows that
//  1. an unknown client_id and a wrong secret for a known client cost the same at the token
//     endpoint (with and without the brute-force guard), next to an A/A control that shows
//     the noise of the measurement itself;
//  2. a wrong secret costs the same however many of its leading characters are right;
//  3. the secret comparison (timingSafeEqual over 32-byte digests) costs the same however
//     many leading bytes match;
//  4. (for the record) where it is not uniform: PBKDF2-hashed secrets;
//  5. a private_key_jwt assertion from an unknown client costs what a bad signature of a
//     known client costs (the unknown client's is checked against a decoy key);
//  6. a federated platform token with a bad signature costs what one with a good signature
//     costs when no client's rules accept it or it names an unknown client.
//  7. with the brute-force guard's in-memory store flooded past its bound by made-up client
//     ids (their counters are forgettable, kept apart and forgotten oldest first), an unknown
//     client_id still costs what a wrong secret costs.
//  8. the JWT bearer grant (an ID-JAG): an assertion naming no trusted issuer costs what a
//     bad signature costs (a decoy check).
// Requests are interleaved in random order within each round; figures are medians over
// rounds of per-round medians, with the interquartile range of the round medians as noise.
// TIMING_ROUNDS (default 41) and TIMING_PER_ROUND (default 400) scale the run.
import {
  type ClientRegistration,
  MemoryAttemptStore,
  encodeBasicCredentials,
  generateClientSecret,
  generateSigningKey,
  handleTokenRequest,
  hashClientSecret,
  type TokenEndpointOptions,
  timingSafeEqual,
} from "../../mod.ts";
import { resolveServerConfig } from "../../src/config/server_config.ts";

const ROUNDS = Number(process.env.TIMING_ROUNDS ?? 41);
const PER_ROUND = Number(process.env.TIMING_PER_ROUND ?? 400);
const gc = (globalThis as { gc?: () => void }).gc;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quartiles = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor(s.length / 4)]!, s[Math.floor((3 * s.length) / 4)]!];
};

/** A deterministic shuffle (xorshift), so rounds interleave the cases differently. */
function shuffle<T>(xs: T[], seed: number): T[] {
  let x = seed | 1;
  for (let i = xs.length - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

interface Case {
  name: string;
  request: () => Request;
}

/** Per-case medians (µs) over rounds, each round running every case PER_ROUND times, interleaved. */
async function measure(cases: Case[], options: TokenEndpointOptions, rounds = ROUNDS, perRound = PER_ROUND): Promise<Map<string, number[]>> {
  const perCase = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let i = 0; i < 200; i++) for (const c of cases) await handleTokenRequest(c.request(), options); // warm-up
  for (let r = 0; r < rounds; r++) {
    gc?.();
    const order = shuffle(cases.flatMap((c) => Array.from({ length: perRound }, () => c)), r + 1);
    const requests = order.map((c) => c.request());
    const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
    for (let i = 0; i < order.length; i++) {
      const t0 = performance.now();
      const res = await handleTokenRequest(requests[i]!, options);
      const t1 = performance.now();
      samples.get(order[i]!.name)!.push((t1 - t0) * 1000);
      await res.arrayBuffer();
    }
    for (const [name, xs] of samples) perCase.get(name)!.push(median(xs));
  }
  return perCase;
}

function report(title: string, perCase: Map<string, number[]>, unit = "µs"): void {
  console.log(`\n${title}`);
  for (const [name, medians] of perCase) {
    const [q1, q3] = quartiles(medians);
    console.log(`  ${name.padEnd(44)} median ${median(medians).toFixed(2).padStart(8)} ${unit}   (round medians IQR ${q1!.toFixed(2)}-${q3!.toFixed(2)})`);
  }
}

const secret = generateClientSecret();
const clients: ClientRegistration[] = [
  { client_id: "known", client_secret_hash: await hashClientSecret(secret), grant_types: ["client_credentials"], scope: "read" },
];
const basic = (id: string, s: string) => () =>
  new Request("https://as.example.com/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${encodeBasicCredentials(id, s)}` },
    body: "grant_type=client_credentials",
  });
const wrong = secret.slice(0, -1) + (secret.endsWith("A") ? "B" : "A");

console.log(`timing: ${ROUNDS} rounds x ${PER_ROUND} requests per case, interleaved (${gc ? "gc between rounds" : "no --expose-gc"}); Node ${process.versions.node}`);

// 1. Unknown client vs wrong secret. "wrong secret (A/A control)" is the same request as
//    "wrong secret" measured as a separate case: its gap to "wrong secret" is pure noise.
for (const guard of [false, true] as const) {
  const options: TokenEndpointOptions = {
    issuer: "https://as.example.com",
    clients,
    // With the guard on, the limits are raised so the measurement never trips them: what is
    // measured is the cost of consulting it, which is the same for every client_id.
    bruteForce: guard ? { maxAttempts: 1e6, maxAttemptsPerClient: 1e6, maxAttemptsPerCaller: 1e6 } : false,
  };
  const perCase = await measure([
    { name: "unknown client_id", request: basic("unknown", wrong) },
    { name: "known client_id, wrong secret", request: basic("known", wrong) },
    { name: "known client_id, wrong secret (A/A control)", request: basic("known", wrong) },
  ], options);
  report(`1. unknown client_id vs wrong secret, brute-force guard ${guard ? "on" : "off"} (per request)`, perCase);
  const u = median(perCase.get("unknown client_id")!);
  const w = median(perCase.get("known client_id, wrong secret")!);
  const c = median(perCase.get("known client_id, wrong secret (A/A control)")!);
  console.log(`  difference unknown - wrong: ${(u - w).toFixed(2)} µs; A/A noise: ${(c - w).toFixed(2)} µs`);
}

// 2. A wrong secret that shares k leading characters with the right one (hashed first, so the
//    comparison sees unrelated digests whatever k is).
{
  const options: TokenEndpointOptions = { issuer: "https://as.example.com", clients, bruteForce: false };
  const cases: Case[] = [0, 11, 22, 33, secret.length - 1].map((k) => {
    const s = secret.slice(0, k) + [...secret.slice(k)].map((ch) => (ch === "x" ? "y" : "x")).join("");
    return { name: `wrong secret, first ${String(k).padStart(2)} characters right`, request: basic("known", s) };
  });
  report("2. wrong secret by number of leading characters right (per request)", await measure(cases, options));
}

// 3. timingSafeEqual on 32-byte digests that share k leading bytes.
{
  const a = crypto.getRandomValues(new Uint8Array(32));
  const ks = [0, 1, 8, 16, 24, 31, 32];
  const others = ks.map((k) => {
    const b = crypto.getRandomValues(new Uint8Array(32));
    b.set(a.subarray(0, k));
    if (k < 32 && b[k] === a[k]) b[k] = a[k]! ^ 1;
    return b;
  });
  const batch = 20_000;
  const perK = new Map<string, number[]>(ks.map((k) => [`${String(k).padStart(2)} leading bytes equal`, []]));
  let sink = 0;
  for (let r = 0; r < ROUNDS * 3; r++) {
    for (const i of shuffle(ks.map((_, i) => i), r + 7)) {
      const b = others[i]!;
      const t0 = performance.now();
      for (let n = 0; n < batch; n++) sink += timingSafeEqual(a, b) ? 1 : 0;
      const t1 = performance.now();
      perK.get(`${String(ks[i]).padStart(2)} leading bytes equal`)!.push(((t1 - t0) * 1e6) / batch);
    }
  }
  // `sink` keeps the comparisons from being optimised away: the 32-equal case matches.
  report(`3. timingSafeEqual(32 bytes) by leading bytes equal (per comparison; ${sink} matches counted)`, perK, "ns");
}

// 4. For the record: the one case that is not uniform. An unknown client_id is checked against
//    a SHA-256 decoy, so against a client whose secret is stored as PBKDF2 (for human-chosen
//    secrets) the unknown id answers faster. See SECURITY.md.
{
  const pbkdf2: ClientRegistration[] = [{
    client_id: "human",
    client_secret_hash: await hashClientSecret("correct horse battery", { algorithm: "pbkdf2-sha256", iterations: 100_000 }),
    grant_types: ["client_credentials"],
  }];
  const options: TokenEndpointOptions = { issuer: "https://as.example.com", clients: pbkdf2, bruteForce: false };
  report(
    "4. for the record, a PBKDF2 (100,000 iterations) client: unknown client_id vs wrong secret (per request)",
    await measure([
      { name: "unknown client_id", request: basic("nobody", "guess") },
      { name: "PBKDF2 client, wrong secret", request: basic("human", "guess") },
    ], options, 7, 10),
  );
}

// 5. private_key_jwt: an assertion naming an unknown client vs one of a known client with a
//    signature that does not verify. Both are ES256; neither reaches the replay store.
{
  const registered = await generateSigningKey("ES256", { kid: "k1" });
  const impostor = await generateSigningKey("ES256", { kid: "k1" });
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const now = Math.floor(Date.now() / 1000);
  const assertion = async (client_id: string, signer: typeof registered.signer) => {
    const input = `${b64({ alg: "ES256", kid: "k1" })}.${b64({ iss: client_id, sub: client_id, aud: "https://as.example.com", iat: now, exp: now + 290, jti: crypto.randomUUID() })}`;
    const signature = await signer.sign(new TextEncoder().encode(input));
    return `${input}.${btoa(String.fromCharCode(...signature)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
  };
  const post = (jwt: string) => () =>
    new Request("https://as.example.com/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=${jwt}`,
    });
  const options: TokenEndpointOptions = {
    issuer: "https://as.example.com",
    clients: [{
      client_id: "signer",
      token_endpoint_auth_method: "private_key_jwt",
      jwks: { keys: [registered.publicJwk!] },
      grant_types: ["client_credentials"],
    }],
    bruteForce: false,
  };
  const perCase = await measure([
    { name: "unknown client_id", request: post(await assertion("nobody", registered.signer)) },
    { name: "known client_id, bad signature", request: post(await assertion("signer", impostor.signer)) },
    { name: "known client_id, bad signature (A/A control)", request: post(await assertion("signer", impostor.signer)) },
  ], options, 21, 200);
  report("5. private_key_jwt (ES256): unknown client_id vs bad signature (per request)", perCase);
  const u = median(perCase.get("unknown client_id")!);
  const w = median(perCase.get("known client_id, bad signature")!);
  const c = median(perCase.get("known client_id, bad signature (A/A control)")!);
  console.log(`  difference unknown - bad signature: ${(u - w).toFixed(2)} µs; A/A noise: ${(c - w).toFixed(2)} µs`);
}

// 6. Federated client authentication (platform tokens, ES256, static issuer keys so no fetch
//    is timed): a bad signature vs a good one whose claims no client's rules accept vs a
//    good one naming an unknown client_id. All three check one signature; none reaches
//    the replay store. For the record: an iss that is no trusted issuer takes the
//    private_key_jwt path, where an assertion whose iss and sub differ is refused before
//    any signature check.
{
  const platform = await generateSigningKey("ES256", { kid: "p1" });
  const impostor = await generateSigningKey("ES256", { kid: "p1" });
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const now = Math.floor(Date.now() / 1000);
  const iss = "https://token.actions.githubusercontent.com";
  const platformToken = async (signer: typeof platform.signer, claims: Record<string, unknown> = {}) => {
    const input = `${b64({ alg: "ES256", kid: "p1", typ: "JWT" })}.${b64({
      iss, sub: "repo:octo-org/app:environment:prod", aud: "https://as.example.com", repository: "octo-org/app", environment: "prod",
      ref: "refs/heads/main", iat: now, nbf: now, exp: now + 290, jti: crypto.randomUUID(), ...claims,
    })}`;
    const signature = await signer.sign(new TextEncoder().encode(input));
    return `${input}.${btoa(String.fromCharCode(...signature)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
  };
  const post = (jwt: string, extra = "") => () =>
    new Request("https://as.example.com/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=${jwt}${extra}`,
    });
  const options: TokenEndpointOptions = {
    issuer: "https://as.example.com",
    trustedIssuers: [{ issuer: iss, jwks: { keys: [platform.publicJwk!] } }],
    clients: [{
      client_id: "deploy",
      token_endpoint_auth_method: "private_key_jwt",
      federated_credentials: [{ issuer: iss, claims: { repository: "octo-org/app", environment: "prod" } }],
      grant_types: ["client_credentials"],
    }],
    bruteForce: false,
  };
  const perCase = await measure([
    { name: "bad signature", request: post(await platformToken(impostor.signer)) },
    { name: "good signature, no client's rules match", request: post(await platformToken(platform.signer, { environment: "staging" })) },
    { name: "good signature, unknown client_id", request: post(await platformToken(platform.signer), "&client_id=nobody") },
    { name: "bad signature (A/A control)", request: post(await platformToken(impostor.signer)) },
    { name: "for the record: iss not a trusted issuer", request: post(await platformToken(platform.signer, { iss: "https://elsewhere.example.com" })) },
  ], options, 21, 200);
  report("6. federated client authentication (ES256 platform token): failures (per request)", perCase);
  const bad = median(perCase.get("bad signature")!);
  const rules = median(perCase.get("good signature, no client's rules match")!);
  const unknown = median(perCase.get("good signature, unknown client_id")!);
  const aa = median(perCase.get("bad signature (A/A control)")!);
  console.log(`  difference rules - bad signature: ${(rules - bad).toFixed(2)} µs; unknown client - bad signature: ${(unknown - bad).toFixed(2)} µs; A/A noise: ${(aa - bad).toFixed(2)} µs`);
}

// 7. The guard's store flooded: 30,000 made-up client ids more than its bound, and a new
//    made-up id in every round of the measurement too, so the forgettable counters keep being
//    forgotten while an unknown id and a wrong secret are measured; and the first failure of
//    a made-up id against the first failure of a real client (each new counters).
{
  // Real clients enough for one never tried before in every request of its case.
  const fresh = 200 + ROUNDS * PER_ROUND + 10;
  const many: ClientRegistration[] = [...clients, ...Array.from({ length: fresh }, (_, i) => ({ ...clients[0]!, client_id: `real-${i}` }))];
  const options: TokenEndpointOptions = {
    issuer: "https://as.example.com",
    clients: many,
    bruteForce: { store: new MemoryAttemptStore({ maxEntries: 10_000 + fresh }), maxAttempts: 1e6, maxAttemptsPerClient: 1e6, maxAttemptsPerCaller: 1e6 },
  };
  for (let i = 0; i < 30_000 + fresh; i++) await handleTokenRequest(basic(`flood-${i}`, "guess")(), options);
  // A registration is prepared (its hashes parsed) on first use: done here, so that what the
  // first failures below compare is the guard's work alone.
  for (const c of many) await resolveServerConfig(options).findClient(c.client_id);
  let madeUp = 0;
  let real = 0;
  const perCase = await measure([
    { name: "unknown client_id", request: basic("unknown", wrong) },
    { name: "known client_id, wrong secret", request: basic("known", wrong) },
    { name: "known client_id, wrong secret (A/A control)", request: basic("known", wrong) },
    { name: "a made-up client_id never tried before", request: () => basic(`flood-more-${madeUp++}`, wrong)() },
    { name: "a real client_id never tried before, wrong secret", request: () => basic(`real-${real++}`, wrong)() },
  ], options);
  report("7. brute-force guard on, its store flooded past its bound by made-up ids (per request)", perCase);
  const u = median(perCase.get("unknown client_id")!);
  const w = median(perCase.get("known client_id, wrong secret")!);
  const c = median(perCase.get("known client_id, wrong secret (A/A control)")!);
  console.log(`  difference unknown - wrong: ${(u - w).toFixed(2)} µs; A/A noise: ${(c - w).toFixed(2)} µs`);
  const nu = median(perCase.get("a made-up client_id never tried before")!);
  const nr = median(perCase.get("a real client_id never tried before, wrong secret")!);
  console.log(`  first failures: made-up - real: ${(nu - nr).toFixed(2)} µs`);
}

// 8. The JWT bearer grant with ID-JAGs (ES256, static issuer keys so no fetch is timed): the
//    client authenticates with its secret first, then the assertion is refused for a bad
//    signature, for naming no trusted issuer (a decoy signature check), for an unknown kid;
//    for the record, a good signature refused afterwards (another client's ID-JAG, or a
//    subject the policy refuses), which only someone holding the assertion can send.
{
  const idp = await generateSigningKey("ES256", { kid: "idp" });
  const impostor = await generateSigningKey("ES256", { kid: "idp" });
  const other = await generateSigningKey("ES256", { kid: "other" });
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const now = Math.floor(Date.now() / 1000);
  const iss = "https://acme.idp.example";
  const idJag = async (signer: typeof idp.signer, claims: Record<string, unknown> = {}, kid = "idp") => {
    const input = `${b64({ alg: "ES256", kid, typ: "oauth-id-jag+jwt" })}.${b64({
      iss, sub: "U019488227", aud: "https://as.example.com", client_id: "wiki", scope: "chat.read",
      iat: now, exp: now + 290, jti: crypto.randomUUID(), ...claims,
    })}`;
    const signature = await signer.sign(new TextEncoder().encode(input));
    return `${input}.${btoa(String.fromCharCode(...signature)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
  };
  const grantSecret = generateClientSecret();
  const post = (jwt: string) => () =>
    new Request("https://as.example.com/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${encodeBasicCredentials("wiki", grantSecret)}` },
      body: `grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=${jwt}`,
    });
  const options: TokenEndpointOptions = {
    issuer: "https://as.example.com",
    trustedIssuers: [{ issuer: iss, jwks: { keys: [idp.publicJwk!] } }],
    jwtBearerPolicy: (r) => (r.subject === "blocked" ? false : { scope: "chat.read" }),
    clients: [{ client_id: "wiki", client_secret_hash: await hashClientSecret(grantSecret), grant_types: ["urn:ietf:params:oauth:grant-type:jwt-bearer"], scope: "chat.read" }],
    bruteForce: false,
  };
  const perCase = await measure([
    { name: "bad signature", request: post(await idJag(impostor.signer)) },
    { name: "iss not a trusted issuer", request: post(await idJag(idp.signer, { iss: "https://elsewhere.example.com" })) },
    { name: "for the record: unknown kid", request: post(await idJag(other.signer, {}, "other")) },
    { name: "bad signature (A/A control)", request: post(await idJag(impostor.signer)) },
    { name: "for the record: good, another client's", request: post(await idJag(idp.signer, { client_id: "other" })) },
    { name: "for the record: good, policy refuses", request: post(await idJag(idp.signer, { sub: "blocked" })) },
  ], options, 21, 200);
  report("8. JWT bearer grant (ES256 ID-JAG): refusals (per request)", perCase);
  const bad = median(perCase.get("bad signature")!);
  const untrusted = median(perCase.get("iss not a trusted issuer")!);
  const kid = median(perCase.get("for the record: unknown kid")!);
  const aa = median(perCase.get("bad signature (A/A control)")!);
  console.log(`  difference untrusted iss - bad signature: ${(untrusted - bad).toFixed(2)} µs; unknown kid - bad signature: ${(kid - bad).toFixed(2)} µs; A/A noise: ${(aa - bad).toFixed(2)} µs`);
}
