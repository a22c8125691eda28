/**
 * `m2m-oauth federated-client`: a ready federated registration for a workload that
 * authenticates with its platform's token (no secret to hand out): a GitHub Actions
 * workflow, a Kubernetes service account, or a SPIFFE ID. Prints the trusted issuer entry
 * (for the server's `trustedIssuers`, once per issuer) and the client registration (for its
 * `clients`), both checked as the server checks them at start-up; and on stderr, how the
 * workload gets its token with the right audience.
 *
 * @module
 */

import { type ClientRegistration, validateRegistration } from "../clients/registration.ts";
import { generateClientId } from "../clients/secrets.ts";
import { resolveAssertionSettings } from "../client_auth/assertion_options.ts";
import { ConfigurationError } from "../errors.ts";
import type { ClaimRules } from "../federation/claim_rules.ts";
import { federationContext } from "../federation/federated_clients.ts";
import { GITHUB_ACTIONS_ISSUER, resolveTrustedIssuers, type TrustedIssuer } from "../federation/trusted_issuer.ts";
import { parseSpiffeId } from "../federation/spiffe_id.ts";
import type { JwkSet } from "../jose/jwk.ts";
import type { Command } from "./command.ts";
import { type ParsedArgs, parseFlags, stringFlag } from "./flags.ts";
import { type CliIo, CommandError, UsageError } from "./io.ts";

const HELP = `usage: m2m-oauth federated-client <github | kubernetes | spiffe> [flags]

Prints a client registration that a workload authenticates as with the token its platform
issues (no client secret, no key of its own), and the trusted issuer it relies on:

  { "client_id": "...", "trustedIssuer": { ... }, "registration": { ... } }

Put "trustedIssuer" in the server's trustedIssuers option (once per issuer) and
"registration" in its clients. The workload sends its platform token as client_assertion
(client_assertion_type urn:ietf:params:oauth:client-assertion-type:jwt-bearer; jwt-spiffe
for SPIFFE); stderr says how it gets one.

github: a GitHub Actions workflow (tokens from https://token.actions.githubusercontent.com)
  --repository <owner/repo>    the repository (required)
  --repository-id <id>         its numeric id: a deleted and re-created repository of the same name is refused
  --ref <ref>                  the git ref, e.g. refs/heads/main or refs/tags/v1.0
  --environment <name>         the deployment environment the job runs in
  --workflow <path>            the workflow file, e.g. .github/workflows/deploy.yml
  --issuer <url>               GitHub Enterprise Server: https://HOSTNAME/_services/token

kubernetes: a service account of a cluster
  --issuer <url>               the cluster's service account issuer (required;
                               kubectl get --raw /.well-known/openid-configuration | jq -r .issuer)
  --namespace <ns>             the service account's namespace (required)
  --service-account <name>     the service account (required)
  --service-account-uid <uid>  its uid: a deleted and re-created account of the same name is refused
  --jwks-uri <url>             where the cluster publishes its keys, if not at its discovery document's jwks_uri
  --jwks-file <file>           the cluster's JWK Set as a file (kubectl get --raw /openid/v1/jwks), for
                               clusters whose keys the server cannot fetch

spiffe: a SPIFFE ID (draft-ietf-oauth-spiffe-client-auth)
  --spiffe-id <id>             spiffe://<trust domain>/<path>, or a prefix ending in /* (required)
  --bundle-endpoint <url>      the trust domain's SPIFFE bundle endpoint (required)

for every platform:
  --audience <aud>             the audience tokens must carry (default: the server's issuer)
  --client-id <id>             the identifier (default: generated)
  --scope <scopes>             the scope the client may be granted, space-separated
  --resource <uri>             a resource (RFC 8707) the client may ask for; repeatable
  --default-resource <uri>     the audience of tokens requested without resource
  --token-format <format>      jwt or opaque (default: the server's accessTokenFormat)
  --name <name>                a human-readable client_name
  -h, --help                   this help
`;

const PLATFORMS = ["github", "kubernetes", "spiffe"] as const;
type Platform = typeof PLATFORMS[number];

const FLAGS = {
  repository: { type: "string" },
  "repository-id": { type: "string" },
  ref: { type: "string" },
  environment: { type: "string" },
  workflow: { type: "string" },
  issuer: { type: "string" },
  namespace: { type: "string" },
  "service-account": { type: "string" },
  "service-account-uid": { type: "string" },
  "jwks-uri": { type: "string" },
  "jwks-file": { type: "string" },
  "spiffe-id": { type: "string" },
  "bundle-endpoint": { type: "string" },
  audience: { type: "string" },
  "client-id": { type: "string" },
  scope: { type: "string" },
  resource: { type: "string", multiple: true },
  "default-resource": { type: "string" },
  "token-format": { type: "string" },
  name: { type: "string" },
} as const;

/** The flags each platform takes, besides the common ones. */
const PLATFORM_FLAGS: Readonly<Record<Platform, readonly string[]>> = {
  github: ["repository", "repository-id", "ref", "environment", "workflow", "issuer"],
  kubernetes: ["issuer", "namespace", "service-account", "service-account-uid", "jwks-uri", "jwks-file"],
  spiffe: ["spiffe-id", "bundle-endpoint"],
};
const COMMON = ["audience", "client-id", "scope", "resource", "default-resource", "token-format", "name", "help"];

function required(flags: ParsedArgs["flags"], name: string, platform: Platform): string {
  const value = stringFlag(flags, name);
  if (value === undefined) throw new UsageError(`${platform} needs --${name}`);
  return value;
}

/** The issuer, rules and advice for one platform. */
interface Federation {
  trustedIssuer: TrustedIssuer;
  claims: ClaimRules;
  method: "private_key_jwt" | "spiffe_jwt";
  howTo: (audience: string) => string;
}

function github(flags: ParsedArgs["flags"]): Federation {
  const repository = required(flags, "repository", "github");
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) throw new UsageError("--repository must be owner/repo");
  const ref = stringFlag(flags, "ref");
  if (ref !== undefined && !ref.startsWith("refs/")) throw new UsageError(`--ref must be a full ref, e.g. refs/heads/${ref}`);
  const environment = stringFlag(flags, "environment");
  const workflow = stringFlag(flags, "workflow");
  if (workflow !== undefined && !/^\.github\/workflows\/[^@*]+\.ya?ml$/.test(workflow)) {
    throw new UsageError("--workflow must be the workflow file's path, e.g. .github/workflows/deploy.yml");
  }
  const repositoryId = stringFlag(flags, "repository-id");
  if (repositoryId !== undefined && !/^\d+$/.test(repositoryId)) throw new UsageError("--repository-id must be the repository's numeric id");
  // GitHub's claims are all strings, ids included; the workflow_ref names the file and ref.
  const claims: Record<string, ClaimRules[string]> = { repository };
  if (repositoryId !== undefined) claims.repository_id = repositoryId;
  if (ref !== undefined) claims.ref = ref;
  if (environment !== undefined) claims.environment = environment;
  if (workflow !== undefined) {
    claims.workflow_ref = ref !== undefined ? `${repository}/${workflow}@${ref}` : { pattern: `${repository}/${workflow}@*` };
  }
  const issuer = stringFlag(flags, "issuer") ?? GITHUB_ACTIONS_ISSUER;
  return {
    trustedIssuer: { issuer },
    claims,
    method: "private_key_jwt",
    howTo: (audience) =>
      [
        ref === undefined && environment === undefined && workflow === undefined
          ? "Note: no --ref, --environment or --workflow: every workflow of the repository, on any branch, is this client.\n"
          : "",
        "In the workflow, give the job `permissions: id-token: write`, then get its token for this server:",
        `  TOKEN=$(curl -sH "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=${encodeURIComponent(audience)}" | jq -r .value)`,
        "  curl -s -d grant_type=client_credentials -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \\",
        '    -d "client_assertion=$TOKEN" <token endpoint>',
        "",
      ].join("\n"),
  };
}

const K8S_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

async function kubernetes(flags: ParsedArgs["flags"], io: CliIo): Promise<Federation> {
  const issuer = required(flags, "issuer", "kubernetes");
  const namespace = required(flags, "namespace", "kubernetes");
  const account = required(flags, "service-account", "kubernetes");
  for (const [flag, value] of [["namespace", namespace], ["service-account", account]]) {
    if (!K8S_NAME.test(value!) || value!.length > 253) throw new UsageError(`--${flag} must be a Kubernetes name (lowercase letters, digits, '-' and '.')`);
  }
  const uid = stringFlag(flags, "service-account-uid");
  const jwksUri = stringFlag(flags, "jwks-uri");
  const jwksFile = stringFlag(flags, "jwks-file");
  if (jwksUri !== undefined && jwksFile !== undefined) throw new UsageError("give --jwks-uri or --jwks-file, not both");
  // A pod presents the same projected token until the kubelet renews it (at 80% of its life).
  const trustedIssuer: TrustedIssuer = { issuer, allowReuse: true };
  if (jwksUri !== undefined) trustedIssuer.jwksUri = jwksUri;
  if (jwksFile !== undefined) {
    let text: string;
    try {
      text = await io.readTextFile(jwksFile);
    } catch (e) {
      throw new CommandError(`cannot read ${jwksFile}: ${(e as Error).message}`);
    }
    try {
      trustedIssuer.jwks = JSON.parse(text) as JwkSet;
    } catch {
      throw new CommandError(`${jwksFile} is not JSON (expected the cluster's JWK Set)`);
    }
  }
  const claims: Record<string, ClaimRules[string]> = { sub: `system:serviceaccount:${namespace}:${account}` };
  if (uid !== undefined) claims["kubernetes.io"] = { serviceaccount: { uid } };
  return {
    trustedIssuer,
    claims,
    method: "private_key_jwt",
    howTo: (audience) =>
      [
        `Run the pod as service account ${account} in ${namespace}, with a projected token for this server:`,
        "  volumes:",
        "    - name: m2m-oauth-token",
        "      projected:",
        "        sources:",
        "          - serviceAccountToken:",
        "              path: token",
        `              audience: ${audience}`,
        "              expirationSeconds: 3600   # at most the trusted issuer's maxLifetime (default 3600)",
        "and send the file's content (read it again for each request: the kubelet renews it) as client_assertion.",
        "",
      ].join("\n"),
  };
}

function spiffe(flags: ParsedArgs["flags"]): Federation {
  const id = required(flags, "spiffe-id", "spiffe");
  const bundle = required(flags, "bundle-endpoint", "spiffe");
  const prefix = id.endsWith("/*");
  const parsed = parseSpiffeId(prefix ? id.slice(0, -2) : id);
  if (parsed === undefined || (!prefix && parsed.path === "")) {
    throw new UsageError("--spiffe-id must be spiffe://<trust domain>/<path> (or a prefix ending in /*)");
  }
  return {
    // JWT-SVIDs are cached and reused by the workload's agent, and have no jti.
    trustedIssuer: { issuer: `spiffe://${parsed.trustDomain}`, jwksUri: bundle, allowReuse: true },
    claims: { sub: prefix ? { pattern: id } : id },
    method: "spiffe_jwt",
    howTo: (audience) =>
      [
        `Fetch a JWT-SVID with the audience ${audience} from the SPIFFE Workload API and send it as client_assertion,`,
        "with client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-spiffe.",
        "",
      ].join("\n"),
  };
}

/**
 * The `federated-client` command.
 *
 * @example
 * ```ts
 * import { federatedClient } from "./federated_client.ts";
 * federatedClient.name; // "federated-client"
 * ```
 */
export const federatedClient: Command = {
  name: "federated-client",
  summary: "print a registration for a GitHub Actions workflow, Kubernetes service account or SPIFFE ID (no secret)",
  help: HELP,
  async run(args, io) {
    const { flags, positionals } = parseFlags(args, FLAGS);
    if (flags.help) return io.stdout(HELP);
    const [platform, ...extra] = positionals;
    if (platform === undefined) throw new UsageError(`federated-client needs a platform: ${PLATFORMS.join(", ")}`);
    if (!PLATFORMS.includes(platform as Platform)) {
      throw new UsageError(`unknown platform ${JSON.stringify(platform)} (one of ${PLATFORMS.join(", ")})`);
    }
    if (extra.length > 0) throw new UsageError(`federated-client takes one platform (got ${JSON.stringify(extra[0])} too)`);
    const p = platform as Platform;
    for (const name of Object.keys(flags)) {
      if (!COMMON.includes(name) && !PLATFORM_FLAGS[p].includes(name)) throw new UsageError(`--${name} does not apply to ${p}`);
    }
    const federation = p === "github" ? github(flags) : p === "kubernetes" ? await kubernetes(flags, io) : spiffe(flags);
    const audience = stringFlag(flags, "audience");
    if (audience !== undefined) federation.trustedIssuer.audience = audience;
    const format = stringFlag(flags, "token-format");
    if (format !== undefined && format !== "jwt" && format !== "opaque") throw new UsageError("--token-format must be jwt or opaque");

    const client_id = stringFlag(flags, "client-id") ?? generateClientId();
    const registration: ClientRegistration = {
      client_id,
      token_endpoint_auth_method: federation.method,
      federated_credentials: [{ issuer: federation.trustedIssuer.issuer, claims: federation.claims }],
      grant_types: ["client_credentials"],
    };
    const scope = stringFlag(flags, "scope");
    if (scope !== undefined) registration.scope = scope;
    const resources = flags.resource as readonly string[] | undefined;
    if (resources !== undefined) registration.allowed_resources = resources;
    const defaultResource = stringFlag(flags, "default-resource");
    if (defaultResource !== undefined) registration.default_resource = defaultResource;
    if (format !== undefined) registration.access_token_format = format;
    const name = stringFlag(flags, "name");
    if (name !== undefined) registration.client_name = name;
    // The checks the server runs at start-up: what is printed here is what it accepts.
    try {
      validateRegistration(registration);
      const issuers = resolveTrustedIssuers([federation.trustedIssuer], {
        serverIssuer: audience ?? "https://auth.example.com",
        fetch: () => Promise.reject(new Error("the CLI fetches nothing")),
        clock: Date.now,
        settings: resolveAssertionSettings(undefined),
      });
      federationContext(issuers, [registration]);
    } catch (e) {
      if (e instanceof ConfigurationError) throw new UsageError(e.message);
      throw e;
    }
    io.stdout(`${JSON.stringify({ client_id, trustedIssuer: federation.trustedIssuer, registration }, null, 2)}\n`);
    io.stderr(federation.howTo(audience ?? "<the token server's issuer>"));
  },
};
