/**
 * DPoP at the token endpoint (RFC 9449 s5): the proof that comes with a token request, and
 * whether one was needed.
 *
 * @module
 */

import type { Client } from "../clients/registration.ts";
import { OAuthError } from "../errors.ts";
import type { DpopContext } from "./options.ts";
import { verifyDpopProof } from "./proof.ts";

/** What the token endpoint's DPoP step needs from the server's configuration. */
export interface DpopTokenContext {
  /** DPoP settings; `undefined` when DPoP is off. */
  readonly dpop: DpopContext | undefined;
  /** The token endpoint's public URL, normalised as `htu` is compared. */
  readonly tokenEndpointHtu: string;
  /** Its mutual-TLS alias (RFC 8705 s5), normalised, when it has one: proofs may name either. */
  readonly tokenEndpointAliasHtu?: string | undefined;
}

/**
 * The key the token is to be bound to: the RFC 7638 thumbprint of the proof's `jwk`
 * (s6.1), or `undefined` for a Bearer token when the request carries no proof and none is
 * required. A client registered with `dpop_bound_access_tokens` (s5.2), or any client when
 * `dpop.required` is set, must send one. Every failure is 400 `invalid_dpop_proof` (s5),
 * or `use_dpop_nonce` with a `DPoP-Nonce` header (s8). With DPoP off the header is
 * ignored and the token is a Bearer token, as s5 allows.
 *
 * @example
 * ```ts
 * import { dpopBinding } from "./token_request.ts";
 * import type { DpopTokenContext } from "./token_request.ts";
 * import type { Client } from "../clients/registration.ts";
 * declare const ctx: DpopTokenContext;
 * declare const client: Client;
 * declare const request: Request;
 * const jkt = await dpopBinding(request, client, ctx); // undefined: a Bearer token
 * ```
 */
export async function dpopBinding(request: Request, client: Client, ctx: DpopTokenContext): Promise<string | undefined> {
  const dpop = ctx.dpop;
  if (dpop === undefined) return undefined;
  const proof = request.headers.get("dpop");
  if (proof === null) {
    if (dpop.required || client.dpop_bound_access_tokens) {
      throw new OAuthError("invalid_dpop_proof", "a DPoP proof is required for this client (RFC 9449 s5.2)");
    }
    return undefined;
  }
  const alias = ctx.tokenEndpointAliasHtu;
  const htu = alias === undefined ? ctx.tokenEndpointHtu : [ctx.tokenEndpointHtu, alias];
  const { jkt } = await verifyDpopProof(proof, { method: request.method, htu }, dpop);
  return jkt;
}
