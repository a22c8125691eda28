// The README's option tables, generated from the descriptions (src/config/describe.ts):
// `npm run docs:options` writes them between the markers; tests/options_docs.test.ts fails
// when the README's section is stale.
import type { Description } from "../../src/config/describe.ts";
import { clientRegistrationDescription } from "../../src/clients/registration.ts";
import { tokenEndpointDescription } from "../../src/options.ts";
import { resourceServerDescription } from "../../src/resource_server/options.ts";
import { endpointsDescription, serverDescription } from "../../src/server_options.ts";
import { clientAssertionDescription } from "../../src/client_auth/assertion_options.ts";
import { bruteForceDescription } from "../../src/client_auth/brute_force.ts";
import { dpopDescription } from "../../src/dpop/options.ts";
import { trustedIssuerDescription } from "../../src/federation/trusted_issuer.ts";
import { corsDescription } from "../../src/http/cors.ts";

export const START = "<!-- options:start -->";
export const END = "<!-- options:end -->";

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\\\\\|/g, "\\|");
}

function table(description: Description): string {
  const rows = Object.entries(description).map(([key, field]) =>
    `| \`${key}\` | ${cell(field.kind)} | ${field.required ? "required" : cell(field.defaultText ?? "")} | ${cell(field.doc)} |`
  );
  return ["| Option | Accepts | Default | Meaning |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

/** The section between the markers, markers included. */
export function optionsSection(): string {
  return [
    START,
    "## Options reference",
    "",
    "Generated from the option descriptions by `npm run docs:options`; do not edit by hand.",
    "",
    "### Token endpoint (`handleTokenRequest`, `createTokenEndpoint`)",
    "",
    table(tokenEndpointDescription),
    "",
    "#### `bruteForce`",
    "",
    table(bruteForceDescription),
    "",
    "#### `clientAssertion`",
    "",
    table(clientAssertionDescription),
    "",
    "#### `dpop`",
    "",
    table(dpopDescription),
    "",
    "#### `trustedIssuers[i]`",
    "",
    table(trustedIssuerDescription),
    "",
    "### Authorization server (`createAuthorizationServer`): the token endpoint's options plus",
    "",
    table(serverDescription),
    "",
    "#### `endpoints`",
    "",
    table(endpointsDescription),
    "",
    "#### `cors`",
    "",
    table(corsDescription),
    "",
    "### Client registration (`clients[i]`)",
    "",
    table(clientRegistrationDescription),
    "",
    "### Resource server (`verifyAccessToken`)",
    "",
    table(resourceServerDescription),
    END,
  ].join("\n");
}

/** `readme` with its options section replaced by a fresh one (appended at the end when absent). */
export function withOptionsSection(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end === -1) return `${readme.replace(/\n*$/, "\n\n")}${optionsSection()}\n`;
  return `${readme.slice(0, start)}${optionsSection()}${readme.slice(end + END.length)}`;
}
