// ID-JAG-shaped assertions (draft-ietf-oauth-identity-assertion-authz-grant s3.1): the
// claims an enterprise identity provider puts in an Identity Assertion JWT Authorization
// Grant for one client of this server, and the typ header it carries. Minted by the local
// issuers of tests/support/platform_issuer.ts (discovery document + JWK Set on loopback).
import type { PlatformIssuer } from "./platform_issuer.ts";

export const ID_JAG_TYP = "oauth-id-jag+jwt";
export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** The draft's example grant: a user of acme's IdP, for the client `client_id` here, 5 minutes. */
export function idJagClaims(
  idp: string,
  audience: string,
  client_id: string,
  nowMs: number,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  const iat = Math.floor(nowMs / 1000);
  const claims: Record<string, unknown> = {
    jti: crypto.randomUUID(),
    iss: idp,
    sub: "U019488227",
    aud: audience,
    client_id,
    exp: iat + 300,
    iat,
    resource: "https://api.chat.example/",
    scope: "chat.read chat.history",
    auth_time: iat - 60,
    amr: ["mfa", "phrh", "hwk", "user"],
    email: "alice@acme.example",
  };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete claims[k];
    else claims[k] = v;
  }
  return claims;
}

/** Mints an ID-JAG at `idp` (typ oauth-id-jag+jwt unless `header` says otherwise). */
export function mintIdJag(idp: PlatformIssuer, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return idp.mint(claims, { typ: ID_JAG_TYP, ...header });
}
