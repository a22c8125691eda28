/**
 * Federated credentials: the `federated_credentials` member of a client registration, which
 * lets a workload authenticate as the client with a token its platform issued (a GitHub
 * Actions OIDC token, a Kubernetes service account token, a SPIFFE JWT-SVID) instead of a
 * secret or a key of its own. Each names a trusted issuer (the `trustedIssuers` server
 * option, where its keys and audience are configured once) and the rules the token's claims
 * must satisfy: which repository, branch, environment, namespace, service account or SPIFFE
 * ID this client is.
 *
 * The name follows Microsoft Entra's "federated identity credentials"; the rules play the
 * part of Google's attribute conditions and AWS's trust policy conditions.
 *
 * @module
 */

import { closest } from "../config/describe.ts";
import { ConfigurationError } from "../errors.ts";
import { type ClaimRules, compileClaimRules, type CompiledClaimRules } from "./claim_rules.ts";

/**
 * One way a client may authenticate with a platform token: tokens of `issuer` whose claims
 * satisfy every rule of `claims`.
 *
 * @example A GitHub Actions workflow on main, and a Kubernetes service account
 * ```ts
 * import type { FederatedCredential } from "../../mod.ts";
 * const deploy: FederatedCredential = {
 *   issuer: "https://token.actions.githubusercontent.com",
 *   claims: { repository: "octo-org/app", ref: "refs/heads/main", environment: "production" },
 * };
 * const billing: FederatedCredential = {
 *   issuer: "https://oidc.prod-cluster.example.com",
 *   claims: { sub: "system:serviceaccount:payments:billing" },
 * };
 * ```
 */
export interface FederatedCredential {
  /** The trusted issuer's identifier, exactly as in the `trustedIssuers` option. */
  issuer: string;
  /**
   * Rules on the token's claims, every one of which must hold (see {@link ClaimRules}).
   * At least one: an issuer such as GitHub's signs tokens for every repository on GitHub,
   * so a credential without rules would accept all of them.
   */
  claims: ClaimRules;
}

/** A federated credential validated and compiled. */
export interface PreparedFederatedCredential {
  readonly issuer: string;
  readonly rules: CompiledClaimRules;
}

const KNOWN: ReadonlySet<string> = new Set(["issuer", "claims"]);

/**
 * Validates and compiles a registration's `federated_credentials`, found at `path` in the
 * options (`clients[3].federated_credentials`). Throws a {@link ConfigurationError} naming
 * the client and the option's path: not a non-empty array, an entry that is not
 * `{ issuer, claims }`, invalid claim rules (see `compileClaimRules`). Whether the issuer is
 * a trusted one is checked where the server's `trustedIssuers` are known.
 *
 * @example
 * ```ts
 * import { prepareFederatedCredentials } from "./federated_credential.ts";
 * prepareFederatedCredentials("deploy", [{ issuer: "https://token.actions.githubusercontent.com", claims: { repository: "octo-org/app" } }]);
 * ```
 */
export function prepareFederatedCredentials(
  client_id: string,
  value: unknown,
  path = "federated_credentials",
): PreparedFederatedCredential[] {
  const client = `client ${JSON.stringify(client_id)}`;
  const fail = (at: string, message: string): never => {
    throw new ConfigurationError(`${client}: ${at}${message.startsWith(":") ? "" : " "}${message}`, at);
  };
  if (!Array.isArray(value) || value.length === 0) fail(path, "must be a non-empty array of { issuer, claims }");
  return (value as unknown[]).map((entry, i) => {
    const at = `${path}[${i}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) fail(at, "must be an object { issuer, claims }");
    for (const key of Object.keys(entry as object)) {
      if (KNOWN.has(key)) continue;
      const near = closest(key, KNOWN);
      fail(`${at}.${key}`, `: unknown member '${key}' (only issuer and claims${near === undefined ? "" : `; did you mean '${near}'?`})`);
    }
    const { issuer, claims } = entry as FederatedCredential;
    if (typeof issuer !== "string" || issuer === "") fail(`${at}.issuer`, "must be a trusted issuer's identifier");
    if (claims === undefined) fail(`${at}.claims`, "is missing: a credential needs claims, rules that say which of the issuer's workloads this client is");
    return { issuer, rules: compileClaimRules(claims, `${client}: ${at}`, `${at}.claims`) };
  });
}
