/**
 * The skeleton every form-posting endpoint shares (token RFC 6749 s3.2, introspection
 * RFC 7662 s2, revocation RFC 7009 s2): POST only -> TLS -> no credentials in the query ->
 * read the form -> authenticate the client -> the endpoint's own steps. It is also the one
 * place where a refusal of these endpoints becomes a `Response` (through `errorResponse`)
 * and a refusal event. Each endpoint is made once, at module load, so a request allocates
 * nothing the endpoint did not already allocate.
 *
 * @module
 */

import { authenticateClient, type AuthenticatedClient, type ClientAuthContext } from "../client_auth/authenticate.ts";
import { OAuthError, type OAuthErrorCode } from "../errors.ts";
import { emit, type EndpointName, errorCode, type EventContext, type EventInput } from "../events.ts";
import { type FormLimits, type FormParameters, readForm } from "./form.ts";
import { errorResponse } from "./response.ts";
import { refuseQueryCredentials, requireTls } from "./transport.ts";

/** What the skeleton needs from the server's resolved configuration. */
export interface EndpointContext extends ClientAuthContext, EventContext {
  /** Refuse plain `http` (RFC 6749 s3.2, s10.9), except on loopback when allowed. */
  readonly requireHttps: boolean;
  /** The form's size and count limits. */
  readonly form: FormLimits;
}

/**
 * One endpoint: its name (the one client authentication and the events use), its own steps
 * once the client is authenticated, and the event that records a refusal.
 */
export interface EndpointSteps<Ctx extends EndpointContext> {
  readonly name: EndpointName;
  /**
   * The endpoint's own steps, top to bottom, for an authenticated client. Throws an
   * `OAuthError` (or any fault) to refuse; the skeleton answers it.
   */
  readonly steps: (request: Request, form: FormParameters, client: AuthenticatedClient, ctx: Ctx) => Promise<Response>;
  /** The event for a refused request; built only when an event hook is set. */
  readonly refused: (error: OAuthErrorCode, status: number, client_id: string | undefined) => EventInput;
}

/**
 * Makes an endpoint from its steps: a function that never throws, and answers every refusal
 * as JSON with the status and headers its `OAuthError` carries (a fault is a 500).
 *
 * @example
 * ```ts
 * import { endpoint } from "./endpoint.ts";
 * import { jsonResponse } from "./response.ts";
 *
 * const ping = endpoint({
 *   name: "introspection",
 *   steps: (_request, _form, { client }) => Promise.resolve(jsonResponse(200, { client_id: client.client_id })),
 *   refused: (error, status, client_id) => ({ type: "introspection", endpoint: "introspection", result: "refused", error, status, ...(client_id === undefined ? {} : { client_id }) }),
 * });
 * ping; // (request, ctx) => Promise<Response>
 * ```
 */
export function endpoint<Ctx extends EndpointContext>(spec: EndpointSteps<Ctx>): (request: Request, ctx: Ctx) => Promise<Response> {
  const { name, steps, refused } = spec;
  const wrongMethod = `the ${name} endpoint accepts POST only`;
  return async (request, ctx) => {
    let client: AuthenticatedClient | undefined;
    try {
      // RFC 6749 s3.2, RFC 7662 s2.1, RFC 7009 s2.1: POST; RFC 9110 s15.5.6: a 405 lists it.
      if (request.method !== "POST") {
        throw new OAuthError("invalid_request", wrongMethod, { status: 405, headers: { allow: "POST" } });
      }
      const url = request.url;
      requireTls(url, ctx.requireHttps);
      refuseQueryCredentials(url);
      const form = await readForm(request, ctx.form);
      // Answered without a promise when nothing in the check is asynchronous: no turn spent.
      const authenticated = authenticateClient(request, form, ctx, name);
      client = authenticated instanceof Promise ? await authenticated : authenticated;
      return await steps(request, form, client, ctx);
    } catch (e) {
      const response = errorResponse(e);
      if (ctx.onEvent !== undefined) emit(ctx, refused(errorCode(e), response.status, client?.client.client_id));
      return response;
    }
  };
}
