// Issue 18 point 1: a configuration error is never silent. The README's old Quick start
// placeholder (`client_secret_hash: "$sha256$..."`) answers 500 server_error with no
// description, and names the option in a configuration_error event and one log line.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  ConfigurationError,
  createTokenEndpoint,
  handleTokenRequest,
  type ServerEvent,
  type TokenEndpointOptions,
  validateTokenEndpointOptions,
} from "../mod.ts";

const PATH = "clients[0].client_secret_hash";

function placeholderOptions(events: ServerEvent[] = []): TokenEndpointOptions {
  return {
    issuer: "https://auth.example.com",
    clients: [{
      client_id: "billing-service",
      client_secret_hash: "$sha256$...",
      grant_types: ["client_credentials"],
      scope: "invoices:read invoices:write",
      default_scope: "invoices:read",
    }],
    onEvent: (event) => void events.push(event),
  };
}

function tokenRequest(): Request {
  return new Request("https://auth.example.com/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa("billing-service:s")}` },
    body: "grant_type=client_credentials",
  });
}

/** Runs `f` with console.error captured. */
async function capturingErrors(f: () => Promise<void>): Promise<unknown[][]> {
  const lines: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void lines.push(args);
  try {
    await f();
  } finally {
    console.error = original;
  }
  return lines;
}

describe("a configuration error is never silent", () => {
  test("handleTokenRequest answers a bare 500 and reports the option in a configuration_error event on every request", async () => {
    const events: ServerEvent[] = [];
    const options = placeholderOptions(events);
    await capturingErrors(async () => {
      for (let i = 0; i < 2; i++) {
        const response = await handleTokenRequest(tokenRequest(), options);
        assert.equal(response.status, 500);
        // No description: the configuration is not the caller's business.
        assert.deepEqual(await response.json(), { error: "server_error" });
      }
    });
    assert.equal(events.length, 2);
    for (const event of events) {
      assert.equal(event.type, "configuration_error");
      if (event.type !== "configuration_error") continue;
      assert.equal(event.option, PATH);
      assert.match(event.message, /client_secret_hash/);
      assert.equal(event.status, 500);
      assert.equal(typeof event.time, "number");
    }
  });

  test("one log line per options object names the option", async () => {
    const options = placeholderOptions();
    const lines = await capturingErrors(async () => {
      for (let i = 0; i < 3; i++) await handleTokenRequest(tokenRequest(), options);
    });
    assert.equal(lines.length, 1);
    assert.match(String(lines[0]![0]), new RegExp(PATH.replace(/[[\].]/g, "\\$&")));
    // Another options object gets its own line.
    const more = await capturingErrors(async () => void await handleTokenRequest(tokenRequest(), placeholderOptions()));
    assert.equal(more.length, 1);
  });

  test("validateTokenEndpointOptions throws a ConfigurationError with the option's path", () => {
    assert.throws(() => validateTokenEndpointOptions(placeholderOptions()), (e: unknown) => {
      assert.ok(e instanceof ConfigurationError);
      assert.equal(e.path, PATH);
      return true;
    });
  });

  test("createTokenEndpoint throws at creation, and serves valid options", async () => {
    assert.throws(() => createTokenEndpoint(placeholderOptions()), (e: unknown) => e instanceof ConfigurationError && e.path === PATH);
    const endpoint = createTokenEndpoint({
      issuer: "https://auth.example.com",
      clients: [{ client_id: "billing-service", client_secret: "s", grant_types: ["client_credentials"] }],
    });
    const response = await endpoint(tokenRequest());
    assert.equal(response.status, 200);
    assert.equal((await response.json() as { token_type: string }).token_type, "Bearer");
  });

  test("valid options validate without throwing", () => {
    assert.doesNotThrow(() => validateTokenEndpointOptions({ issuer: "https://auth.example.com", clients: [] }));
  });
});
