/**
 * The revocation endpoint (RFC 7009): a client tells the server it no longer needs a token.
 * Check the transport -> parse the form -> authenticate the client -> look the token up ->
 * check it was issued to this client -> revoke -> respond.
 *
 * @module
 */

import type { AuthenticatedClient } from "./client_auth/authenticate.ts";
import { OAuthError } from "./errors.ts";
import { emit, type RevocationEvent } from "./events.ts";
import { endpoint } from "./http/endpoint.ts";
import type { FormParameters } from "./http/form.ts";
import { jsonResponse } from "./http/response.ts";
import type { ServerConfig } from "./config/server_config.ts";
import { storeFailure } from "./stores/store_unavailable.ts";
import { type FoundToken, lookupToken } from "./tokens/lookup.ts";

/** Makes a found token stop working, by the means its format allows. */
async function revoke(found: FoundToken, config: ServerConfig): Promise<void> {
  switch (found.format) {
    case "opaque":
      // The record goes: introspection and the resource server stop finding it at once.
      await config.tokenStore.revoke(found.key);
      return;
    case "jwt":
      // A JWT cannot be deleted: its jti is remembered until the token would have expired
      // anyway (RFC 7009 s2: the server makes it unusable, however it does so).
      await config.revocationStore.revoke(found.jti, found.record.exp);
      return;
    default: {
      // Every format the lookup can return must be handled above.
      const unhandled: never = found;
      throw new Error(`cannot revoke a token of format ${String((unhandled as FoundToken).format)}`);
    }
  }
}

/**
 * The revocation endpoint's own steps, once the skeleton (`http/endpoint.ts`) has checked
 * the method and transport, read the form and authenticated the client (RFC 7009 s2.1: as
 * at the token endpoint).
 */
async function revocationSteps(_request: Request, form: FormParameters, { client }: AuthenticatedClient, config: ServerConfig): Promise<Response> {
  const client_id = client.client_id;
  const token = form.get("token");
  if (token === undefined) throw new OAuthError("invalid_request", "token is required");
  // RFC 7009 s2.1: token_type_hint is only a hint, and an unknown value is no error
  // (unsupported_token_type is for kinds the server cannot revoke at all, s2.2.1); the
  // lookup tries every kind of token this server issues.
  const found = await lookupToken(token, config);
  const base = { type: "revocation", endpoint: "revocation", client_id, status: 200 } as const;
  if (found === undefined) {
    // RFC 7009 s2.2: an invalid, expired or already revoked token is answered 200.
    emit(config, { ...base, result: "unknown" });
    return jsonResponse(200, {});
  }
  // RFC 7009 s2.1: the server checks that the token was issued to this client, and
  // refuses otherwise (it names no error code: invalid_grant, or a silent 200 if so configured).
  if (found.record.client_id !== client_id) {
    if (config.foreignTokenRevocation === "silent") {
      emit(config, { ...base, result: "ignored" });
      return jsonResponse(200, {});
    }
    throw new OAuthError("invalid_grant", "the token was not issued to this client");
  }
  try {
    await revoke(found, config);
  } catch (e) {
    // RFC 7009 s2.2.1: 503 tells the client to retry; the token may still be valid.
    throw storeFailure(e, "the server cannot record the revocation now");
  }
  emit(config, { ...base, result: "revoked" });
  // RFC 7009 s2.2: the client ignores the body; an empty JSON object keeps every answer JSON.
  return jsonResponse(200, {});
}

/** The revocation endpoint for a resolved configuration. Never throws. */
export const revocationEndpoint: (request: Request, config: ServerConfig) => Promise<Response> = endpoint({
  name: "revocation",
  steps: revocationSteps,
  refused: (error, status, client_id) => {
    const event: Omit<RevocationEvent, "time"> = { type: "revocation", endpoint: "revocation", result: "refused", error, status };
    if (client_id !== undefined) event.client_id = client_id;
    return event;
  },
});
