/**
 * `m2m-oauth create-client`: a new client with a generated id and secret. The secret is
 * printed once; the registration to store holds only its hash.
 *
 * @module
 */

import { type ClientRegistration, type TokenEndpointAuthMethod, validateRegistration } from "../clients/registration.ts";
import { generateClientId, generateClientSecret, hashClientSecret, type SecretHashAlgorithm } from "../clients/secrets.ts";
import { ConfigurationError } from "../errors.ts";
import type { Command } from "./command.ts";
import { parseFlags, stringFlag } from "./flags.ts";
import { UsageError } from "./io.ts";

const HELP = `usage: m2m-oauth create-client [flags]

Generates a client: a client_id (128 random bits) and a client_secret (256 random bits),
both base64url. Prints one JSON object on stdout:

  { "client_id": "...", "client_secret": "...", "registration": { ... } }

"client_secret" is shown this once: hand it to the client. Store "registration": it is
what createAuthorizationServer's clients option takes, with the secret only as a hash.

flags:
  --client-id <id>             the identifier (default: generated)
  --scope <scopes>             the scope the client may be granted, space-separated
  --default-scope <scopes>     what a request without scope gets (default: all of --scope)
  --grant-type <type>          client_credentials (the only grant this server has)
  --auth-method <method>       client_secret_basic (default) or client_secret_post
  --resource <uri>             a resource (RFC 8707) the client may ask for; repeatable
  --default-resource <uri>     the audience of tokens requested without resource
  --token-format <format>      jwt or opaque (default: the server's accessTokenFormat)
  --hash <algorithm>           sha256 (default; right for generated secrets) or pbkdf2-sha256
  --name <name>                a human-readable client_name
  -h, --help                   this help
`;

const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = ["client_secret_basic", "client_secret_post"];

/**
 * The `create-client` command.
 *
 * @example
 * ```ts
 * import { createClient } from "./create_client.ts";
 * createClient.name; // "create-client"
 * ```
 */
export const createClient: Command = {
  name: "create-client",
  summary: "generate a client_id and secret, and the registration to store (secret hashed)",
  help: HELP,
  async run(args, io) {
    const { flags, positionals } = parseFlags(args, {
      "client-id": { type: "string" },
      scope: { type: "string" },
      "default-scope": { type: "string" },
      "grant-type": { type: "string" },
      "auth-method": { type: "string" },
      resource: { type: "string", multiple: true },
      "default-resource": { type: "string" },
      "token-format": { type: "string" },
      hash: { type: "string" },
      name: { type: "string" },
    });
    if (flags.help) return io.stdout(HELP);
    if (positionals.length > 0) throw new UsageError(`create-client takes no arguments (got ${JSON.stringify(positionals[0])})`);
    const grant = stringFlag(flags, "grant-type", "client_credentials");
    if (grant !== "client_credentials") {
      throw new UsageError(`--grant-type ${JSON.stringify(grant)}: this server has the client_credentials grant only`);
    }
    const method = stringFlag(flags, "auth-method", "client_secret_basic", AUTH_METHODS);
    const hash = stringFlag<SecretHashAlgorithm>(flags, "hash", "sha256", ["sha256", "pbkdf2-sha256"]);
    const format = stringFlag(flags, "token-format");
    if (format !== undefined && format !== "jwt" && format !== "opaque") throw new UsageError("--token-format must be jwt or opaque");

    const client_id = stringFlag(flags, "client-id") ?? generateClientId();
    const client_secret = generateClientSecret();
    const registration: ClientRegistration = {
      client_id,
      client_secret_hash: await hashClientSecret(client_secret, { algorithm: hash }),
      token_endpoint_auth_method: method,
      grant_types: [grant],
    };
    const scope = stringFlag(flags, "scope");
    if (scope !== undefined) registration.scope = scope;
    const defaultScope = stringFlag(flags, "default-scope");
    if (defaultScope !== undefined) registration.default_scope = defaultScope;
    const resources = flags.resource as readonly string[] | undefined;
    if (resources !== undefined) registration.allowed_resources = resources;
    const defaultResource = stringFlag(flags, "default-resource");
    if (defaultResource !== undefined) registration.default_resource = defaultResource;
    if (format !== undefined) registration.access_token_format = format;
    const name = stringFlag(flags, "name");
    if (name !== undefined) registration.client_name = name;
    // The same validation the server runs at start-up: a registration printed here is one
    // the server accepts.
    try {
      validateRegistration(registration);
    } catch (e) {
      if (e instanceof ConfigurationError) throw new UsageError(e.message);
      throw e;
    }
    io.stdout(`${JSON.stringify({ client_id, client_secret, registration }, null, 2)}\n`);
    io.stderr("The client_secret is shown only this once: give it to the client. Store only \"registration\".\n");
  },
};
