/**
 * Events: a typed hook the server calls as it answers, to feed logs, metrics and alerts
 * (brute-force detection, for one: RFC 6749 s2.3.1, s10.10).
 *
 * No event carries a secret, an assertion, a token or a token's hash (RFC 6749 s10.3,
 * RFC 6750 s5.3: tokens and secrets stay confidential, so never logged), so every payload can go to a log as it is. The hook
 * runs synchronously on the request path and is never awaited; an exception it throws, or
 * a promise it rejects, is swallowed so that observing a request can never break it.
 *
 * @module
 */

import type { TokenEndpointAuthMethod } from "./clients/registration.ts";
import { OAuthError, type OAuthErrorCode } from "./errors.ts";
import type { ActorClaim } from "./tokens/actor.ts";

/** The endpoint a request was answered by. */
export type EndpointName = "token" | "introspection" | "revocation";

/** A token was issued (RFC 6749 s5.1). */
export interface TokenIssuedEvent {
  type: "token_issued";
  /** Milliseconds since the epoch, from the server's clock. */
  time: number;
  endpoint: "token";
  /** The grant it was issued for: `client_credentials`, or the URI of an extension grant (RFC 6749 s4.5). */
  grant_type: string;
  /** The client the token was issued to. */
  client_id: string;
  /** The token's subject, when it is not the client (token exchange: the subject token's). */
  sub?: string;
  /** Who acts for the subject (RFC 8693 s4.1), for a delegated token. */
  act?: ActorClaim;
  /** The granted scope, space-separated; "" when none. */
  scope: string;
  /** The token's lifetime in seconds. */
  expires_in: number;
  token_type: string;
}

/** The token endpoint refused a request (RFC 6749 s5.2). */
export interface TokenRefusedEvent {
  type: "token_refused";
  time: number;
  endpoint: "token";
  /** The client, when it had authenticated before the refusal. */
  client_id?: string;
  error: OAuthErrorCode;
  /** The HTTP status of the answer. */
  status: number;
}

/**
 * A client failed to authenticate, at any endpoint. Sent in addition to the endpoint's own
 * refusal event, so repeated failures against one `client_id` are easy to count.
 */
export interface ClientAuthenticationFailedEvent {
  type: "client_authentication_failed";
  time: number;
  endpoint: EndpointName;
  /** The client id the request presented, when it presented one. Never the secret. */
  client_id?: string;
  /** The method the request attempted, when one was recognised. */
  method?: TokenEndpointAuthMethod;
  /** The trusted issuer a platform token named, when the assertion was one (federation). */
  issuer?: string;
}

/**
 * A client authenticated with a token from a trusted external issuer (federated client
 * authentication): who vouched for it and for which workload. Never the token itself.
 */
export interface FederatedClientAuthenticatedEvent {
  type: "federated_client_authenticated";
  time: number;
  endpoint: EndpointName;
  /** The client the workload authenticated as. */
  client_id: string;
  /** `private_key_jwt` for a platform JWT, `spiffe_jwt` for a SPIFFE JWT-SVID. */
  method: TokenEndpointAuthMethod;
  /** The trusted issuer's identifier, as configured. */
  issuer: string;
  /** The token's `sub`: the workload, in the issuer's words (e.g. `repo:octo-org/app:ref:refs/heads/main`). */
  subject: string;
}

/**
 * An assertion was presented with the JWT bearer grant (RFC 7523 s2.1), and accepted or
 * refused: which trusted issuer vouched for which subject, to which client. Never the
 * assertion itself. When refused, `issuer` and `subject` are what the assertion claims
 * (unverified), when it named a trusted issuer.
 */
export interface JwtBearerAssertionEvent {
  type: "jwt_bearer_assertion";
  time: number;
  endpoint: "token";
  /** The authenticated client that presented the assertion. */
  client_id: string;
  result: "accepted" | "refused";
  /** `id-jag` (an Identity Assertion JWT Authorization Grant) or `jwt-bearer`: the issuer's `grantProfile`. */
  profile?: "id-jag" | "jwt-bearer";
  /** The trusted issuer's identifier, as configured. */
  issuer?: string;
  /** The assertion's `sub`. */
  subject?: string;
  /** The error answered, when refused. */
  error?: OAuthErrorCode;
  /** Why it was refused, in words (the `error_description`), for logs. */
  reason?: string;
}

/** An introspection request was answered (RFC 7662 s2.2) or refused (s2.3). */
export interface IntrospectionEvent {
  type: "introspection";
  time: number;
  endpoint: "introspection";
  /** The calling client, once authenticated. */
  client_id?: string;
  /**
   * `active`: the token's details were returned; `inactive`: `{"active":false}` was
   * returned; `refused`: an error was returned.
   */
  result: "active" | "inactive" | "refused";
  /** Why the answer was `inactive`: no such live token, or the caller may not see it. */
  reason?: "unknown" | "not_visible";
  /** The client the token was issued to, when the answer was `active`. */
  token_client_id?: string;
  /** The error code, when `refused`. */
  error?: OAuthErrorCode;
  /** The HTTP status of the answer. */
  status: number;
}

/** A revocation request was answered (RFC 7009 s2.2) or refused (s2.2.1). */
export interface RevocationEvent {
  type: "revocation";
  time: number;
  endpoint: "revocation";
  /** The calling client, once authenticated. */
  client_id?: string;
  /**
   * `revoked`: a live token of the caller was revoked; `unknown`: no such live token (200);
   * `ignored`: another client's token, left alone with a silent 200 (option
   * `foreignTokenRevocation: "silent"`); `refused`: an error was returned.
   */
  result: "revoked" | "unknown" | "ignored" | "refused";
  /** The error code, when `refused`. */
  error?: OAuthErrorCode;
  /** The HTTP status of the answer. */
  status: number;
}

/**
 * The options are invalid: a request was answered `500 server_error` (with no description:
 * the configuration is not the caller's business) because its options could not be
 * resolved. `option` names the option at fault (`clients[0].client_secret_hash`).
 */
export interface ConfigurationErrorEvent {
  type: "configuration_error";
  time: number;
  endpoint: "token";
  /** The path of the option at fault, when one is to blame. */
  option?: string;
  /** The `ConfigurationError`'s message. */
  message: string;
  /** The HTTP status of the answer (500). */
  status: number;
}

/**
 * Everything the `onEvent` hook can receive; switch on `type`.
 *
 * @example
 * ```ts
 * import type { ServerEvent } from "./events.ts";
 * function describe(event: ServerEvent): string {
 *   switch (event.type) {
 *     case "token_issued": return `issued to ${event.client_id}`;
 *     case "token_refused": return `refused: ${event.error}`;
 *     case "client_authentication_failed": return `bad credentials for ${event.client_id ?? "?"}`;
 *     case "federated_client_authenticated": return `${event.client_id} is ${event.subject} of ${event.issuer}`;
 *     case "jwt_bearer_assertion": return `${event.result}: ${event.subject ?? "?"} of ${event.issuer ?? "?"}`;
 *     case "introspection": return `introspection: ${event.result}`;
 *     case "revocation": return `revocation: ${event.result}`;
 *     case "configuration_error": return `misconfigured: ${event.message}`;
 *   }
 * }
 * ```
 */
export type ServerEvent =
  | TokenIssuedEvent
  | TokenRefusedEvent
  | ClientAuthenticationFailedEvent
  | FederatedClientAuthenticatedEvent
  | JwtBearerAssertionEvent
  | IntrospectionEvent
  | RevocationEvent
  | ConfigurationErrorEvent;

/**
 * The `onEvent` option: called once per event, synchronously, never awaited.
 *
 * @example Count authentication failures per client
 * ```ts
 * import type { EventHook } from "./events.ts";
 * const failures = new Map<string, number>();
 * const onEvent: EventHook = (event) => {
 *   if (event.type === "client_authentication_failed" && event.client_id !== undefined) {
 *     failures.set(event.client_id, (failures.get(event.client_id) ?? 0) + 1);
 *   }
 * };
 * ```
 */
export type EventHook = (event: ServerEvent) => void | Promise<void>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event before the server stamps its time. */
export type EventInput = DistributiveOmit<ServerEvent, "time">;

/** What emitting needs: the hook, if any, and the clock for `time`. */
export interface EventContext {
  readonly onEvent?: EventHook | undefined;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
}

const ignore = (): void => {};

/**
 * Calls the hook with `event` stamped with the time. Whatever the hook does (throw, reject,
 * return anything) stays out of the request.
 */
export function emit(ctx: EventContext, event: EventInput): void {
  const hook = ctx.onEvent;
  if (hook === undefined) return;
  try {
    const result: unknown = hook({ ...event, time: ctx.clock() } as ServerEvent);
    if (typeof (result as PromiseLike<void> | undefined)?.then === "function") {
      (result as PromiseLike<void>).then(undefined, ignore);
    }
  } catch {
    // A hook that throws must not turn a valid answer into an error.
  }
}

/** The error code a thrown value is answered with (see `errorResponse`). */
export function errorCode(error: unknown): OAuthErrorCode {
  return error instanceof OAuthError ? error.error : "server_error";
}
