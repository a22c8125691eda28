/**
 * Declarative descriptions of options objects: each field says what it accepts, its default
 * and one line of documentation. From one description follow the validation (with the
 * option's full path in every `ConfigurationError`: `clients[3].scope`), the refusal of
 * unknown keys (with a "did you mean" when a known key is close), the defaults and the
 * options table of the README (`npm run docs:options`).
 *
 * A description is checked against the TypeScript interface it describes with
 * {@link Describes}: a key missing on either side, or a field of the wrong type, fails to
 * compile.
 *
 * @module
 */

import { ConfigurationError } from "../errors.ts";
import { isHttpsOrLoopback } from "../http/loopback.ts";

/**
 * One field of an options object: what it accepts and how it is documented.
 *
 * @example
 * ```ts
 * import { integer } from "./describe.ts";
 * const lifetime = integer("Access token lifetime, seconds.", 1, 86_400, { default: 600 });
 * lifetime.check(60, "accessTokenLifetime"); // 60
 * ```
 */
export interface Field<T> {
  /** What the field accepts, as the options table shows it (`integer 1-86400`, `URL`). */
  readonly kind: string;
  /** One line for the options table. */
  readonly doc: string;
  /** Whether the field must be given. */
  readonly required: boolean;
  /** The default, as the options table shows it; absent: none. */
  readonly defaultText?: string;
  /** The default value, applied by {@link checkObject} when the field is absent. */
  readonly fallback?: T;
  /** Checks a given value (never `undefined`); throws a `ConfigurationError` naming `path`. */
  check(value: unknown, path: string): T;
  /** Rules between this field and its siblings, checked by {@link checkObject}; see {@link Relations}. */
  readonly relations?: Relations;
}

/**
 * Rules between a field and the other fields of its object, checked by {@link checkObject}
 * once every field is valid, in the order of the description. A rule of a field applies
 * when the field is *present*: given, and neither `false` nor `[]` (so
 * `certificateBoundAccessTokens: false` needs nothing). Each error names the field's path;
 * `message` (what follows the path) replaces the standard words.
 */
export interface Relations {
  /** Another field that must be present too: `jwtBearerPolicy` needs `trustedIssuers`. */
  readonly requires?: string | { readonly field: string; readonly message: string };
  /** Another field that must not be present too: `jwks` and `jwks_uri` (RFC 7591 s2). */
  readonly conflictsWith?: string | { readonly field: string; readonly message: string };
  /**
   * The field applies only when another field's value (its default included) is one of
   * `values`: `token_endpoint_auth_signing_alg` for the assertion methods only.
   */
  readonly onlyWhen?: { readonly field: string; readonly values: readonly string[]; readonly message?: string };
}

/** Common settings of a field. */
export interface FieldOptions<T> {
  /** The field must be given. */
  required?: boolean;
  /** The value used when the field is absent. */
  default?: T;
  /** How the table shows the default, when it is not the value itself (`the issuer`). */
  defaultText?: string;
  /** What the error says after the path, instead of the kind's own words ("must be ..."). */
  message?: string | ((value: unknown) => string);
  /** See {@link Relations}. */
  requires?: Relations["requires"];
  /** See {@link Relations}. */
  conflictsWith?: Relations["conflictsWith"];
  /** See {@link Relations}. */
  onlyWhen?: Relations["onlyWhen"];
}

/**
 * A description: one {@link Field} per key of an options object.
 *
 * @example
 * ```ts
 * import { boolean, type Description } from "./describe.ts";
 * const description: Description = { enabled: boolean("Whether it is on.", { default: false }) };
 * ```
 */
export type Description = Readonly<Record<string, Field<unknown>>>;

/**
 * The compile-time agreement of a description with the interface `T` it describes: one
 * field per key of `T`, no other, each checking a value of the key's type, and `required`
 * exactly for the keys `T` requires. Use it with `satisfies`.
 *
 * @example
 * ```ts
 * import { boolean, type Describes } from "./describe.ts";
 * interface Options { enabled?: boolean }
 * const description = { enabled: boolean("Whether it is on.") } satisfies Describes<Options>;
 * ```
 */
export type Describes<T> = {
  readonly [K in keyof T]-?: Field<Exclude<T[K], undefined>> & { readonly required: undefined extends T[K] ? false : true };
};

/** The error for a value at `path`; `path` is also on the error, for programs. */
export function problem(path: string, message: string): ConfigurationError {
  return new ConfigurationError(`${path} ${message}`, path);
}

/** Refuses `value` at `path`: with the field's own `message` when it has one, else `standard`. */
type Refuse = (path: string, value: unknown, standard: string) => never;

function make<T>(
  kind: string,
  doc: string,
  options: FieldOptions<T>,
  check: (value: unknown, path: string, refuse: Refuse) => T,
): Field<T> {
  const { required = false, default: fallback, defaultText, message, requires, conflictsWith, onlyWhen } = options;
  const relations: Relations = {
    ...(requires === undefined ? {} : { requires }),
    ...(conflictsWith === undefined ? {} : { conflictsWith }),
    ...(onlyWhen === undefined ? {} : { onlyWhen }),
  };
  const refuse: Refuse = (path, value, standard) => {
    throw problem(path, message === undefined ? standard : typeof message === "string" ? message : message(value));
  };
  const shown = defaultText ?? (fallback === undefined ? undefined : typeof fallback === "string" ? `"${fallback}"` : JSON.stringify(fallback));
  return {
    kind,
    doc,
    required,
    ...(shown === undefined ? {} : { defaultText: shown }),
    ...(fallback === undefined ? {} : { fallback }),
    ...(Object.keys(relations).length === 0 ? {} : { relations }),
    check: (value: unknown, path: string) => check(value, path, refuse),
  } as Field<T>;
}

/** What a field's type says beyond its value: whether it is required, whether it has a default. */
export type Extra<T, O> =
  & (O extends { required: true } ? { readonly required: true } : { readonly required: false })
  & (O extends { default: unknown } ? { readonly fallback: T } : unknown);

/**
 * A string; `nonEmpty` refuses `""`.
 *
 * @example
 * ```ts
 * import { string } from "./describe.ts";
 * string("The realm of challenges.").check("api", "realm"); // "api"
 * ```
 */
export function string<O extends FieldOptions<string> & { nonEmpty?: boolean }>(doc: string, options?: O): Field<string> & Extra<string, O> {
  return make("string", doc, options ?? {}, (value, path, refuse) => {
    if (typeof value !== "string" || (options?.nonEmpty === true && value === "")) {
      refuse(path, value, options?.nonEmpty === true ? "must be a non-empty string" : "must be a string");
    }
    return value;
  }) as Field<string> & Extra<string, O>;
}

/**
 * A safe integer from `min` to `max`.
 *
 * @example
 * ```ts
 * import { integer } from "./describe.ts";
 * integer("Seconds.", 1, 3_600).check(60, "maxAge"); // 60
 * ```
 */
export function integer<O extends FieldOptions<number>>(doc: string, min: number, max: number, options?: O): Field<number> & Extra<number, O> {
  const shown = max === Number.MAX_SAFE_INTEGER ? `integer >= ${min}` : `integer ${min}-${max}`;
  return make(shown, doc, options ?? {}, (value, path, refuse) => {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
      refuse(path, value, `must be an integer from ${min} to ${max}`);
    }
    return value;
  }) as Field<number> & Extra<number, O>;
}

/**
 * `true` or `false`.
 *
 * @example
 * ```ts
 * import { boolean } from "./describe.ts";
 * boolean("Whether DPoP is required.", { default: false }).check(true, "dpop.required"); // true
 * ```
 */
export function boolean<O extends FieldOptions<boolean>>(doc: string, options?: O): Field<boolean> & Extra<boolean, O> {
  return make("boolean", doc, options ?? {}, (value, path, refuse) => {
    if (typeof value !== "boolean") refuse(path, value, "must be a boolean");
    return value;
  }) as Field<boolean> & Extra<boolean, O>;
}

/**
 * One of a fixed list of strings.
 *
 * @example
 * ```ts
 * import { oneOf } from "./describe.ts";
 * oneOf("The token format.", ["opaque", "jwt"] as const).check("jwt", "accessTokenFormat"); // "jwt"
 * ```
 */
export function oneOf<const V extends string, O extends FieldOptions<V>>(doc: string, values: readonly V[], options?: O): Field<V> & Extra<V, O> {
  const list = values.map((v) => `'${v}'`);
  const said = list.length === 2 ? `${list[0]} or ${list[1]}` : `one of ${list.join(", ")}`;
  return make(values.map((v) => `"${v}"`).join(" \\| "), doc, options ?? {}, (value, path, refuse) => {
    if (typeof value !== "string" || !(values as readonly string[]).includes(value)) refuse(path, value, `must be ${said}`);
    return value as V;
  }) as Field<V> & Extra<V, O>;
}

/**
 * An absolute `https` URL (`http` only for loopback hosts) without a fragment.
 *
 * @example
 * ```ts
 * import { url } from "./describe.ts";
 * url("Where the keys are.").check("https://as.example.com/jwks", "jwksUri");
 * ```
 */
export function url<O extends FieldOptions<string>>(doc: string, options?: O): Field<string> & Extra<string, O> {
  return make("URL", doc, options ?? {}, (value, path, refuse) => {
    let parsed: URL;
    try {
      parsed = new URL(value as string);
    } catch {
      return refuse(path, value, "must be a URL");
    }
    if (!isHttpsOrLoopback(parsed)) refuse(path, value, "must be an https URL (http is allowed for localhost only)");
    if (parsed.hash !== "" || (value as string).includes("#")) refuse(path, value, "must not have a fragment");
    return value as string;
  }) as Field<string> & Extra<string, O>;
}

/**
 * A function; `signature` completes the error message (`(request) => string`).
 *
 * @example
 * ```ts
 * import { func } from "./describe.ts";
 * func<() => number>("The clock.", "returning milliseconds").check(Date.now, "clock");
 * ```
 */
export function func<F, O extends FieldOptions<F> = FieldOptions<F>>(doc: string, signature = "", options?: O): Field<F> & Extra<F, O> {
  return make("function", doc, options ?? {}, (value, path, refuse) => {
    if (typeof value !== "function") refuse(path, value, `must be a function${signature === "" ? "" : ` ${signature}`}`);
    return value as F;
  }) as Field<F> & Extra<F, O>;
}

/**
 * A field with its own check, for what the kinds above do not say (a store, a key set, a
 * union); `check` throws through {@link problem}.
 *
 * @example
 * ```ts
 * import { custom, problem } from "./describe.ts";
 * const even = custom<number>("even number", "An even number.", (v, path) => {
 *   if (typeof v !== "number" || v % 2 !== 0) throw problem(path, "must be even");
 *   return v;
 * });
 * ```
 */
export function custom<T, O extends FieldOptions<T> = FieldOptions<T>>(
  kind: string,
  doc: string,
  check: (value: unknown, path: string) => T,
  options?: O,
): Field<T> & Extra<T, O> {
  return make(kind, doc, options ?? {}, (value, path) => check(value, path)) as Field<T> & Extra<T, O>;
}

/**
 * An array whose every element `element` accepts (checked as `path[i]`); `nonEmpty`
 * refuses `[]`.
 *
 * @example
 * ```ts
 * import { arrayOf, string } from "./describe.ts";
 * arrayOf(string("a name"), "Names.").check(["a", "b"], "names"); // ["a", "b"]
 * ```
 */
export function arrayOf<T, O extends FieldOptions<readonly T[]> & { nonEmpty?: boolean }>(
  element: Field<T>,
  doc: string,
  options?: O,
): Field<readonly T[]> & Extra<readonly T[], O> {
  return make(`array of ${element.kind}`, doc, options ?? {}, (value, path, refuse) => {
    if (!Array.isArray(value)) return refuse(path, value, `must be an array of ${element.kind}`);
    if (options?.nonEmpty === true && value.length === 0) refuse(path, value, "must not be empty");
    return value.map((v, i) => element.check(v, `${path}[${i}]`));
  }) as Field<readonly T[]> & Extra<readonly T[], O>;
}

/**
 * One value `element` accepts, or an array of them (checked as `path[i]`); `nonEmpty`
 * refuses `[]`. A value that is neither is refused by `element`, in its words. For members
 * that are a string or a list of them, as JWT's `aud` is (RFC 7519 s4.1.3): a trusted
 * issuer's `audience`, a client's `resource_server`.
 *
 * @example
 * ```ts
 * import { oneOrMany, string } from "./describe.ts";
 * const audience = oneOrMany(string("an audience", { nonEmpty: true }), "Audiences.", { nonEmpty: true });
 * audience.check("https://as.example.com", "audience"); // "https://as.example.com"
 * ```
 */
export function oneOrMany<T, O extends FieldOptions<T | readonly T[]> & { nonEmpty?: boolean }>(
  element: Field<T>,
  doc: string,
  options?: O,
): Field<T | readonly T[]> & Extra<T | readonly T[], O> {
  const kind = `${element.kind} or array of ${element.kind}s`;
  return make(kind, doc, options ?? {}, (value, path, refuse) => {
    // A single value is the element's to judge, with its own words.
    if (!Array.isArray(value)) return element.check(value, path);
    if (options?.nonEmpty === true && value.length === 0) refuse(path, value, "must not be empty");
    return value.map((v, i) => element.check(v, `${path}[${i}]`));
  }) as Field<T | readonly T[]> & Extra<T | readonly T[], O>;
}

/**
 * An object described by `description`: unknown keys refused, fields checked as
 * `path.key`, defaults applied.
 *
 * @example
 * ```ts
 * import { boolean, objectOf } from "./describe.ts";
 * objectOf({ on: boolean("On.", { default: false }) }, "Settings.").check({}, "x"); // { on: false }
 * ```
 */
export function objectOf<D extends Description, O extends FieldOptions<Checked<D>>>(
  description: D,
  doc: string,
  options?: O,
): Field<Checked<D>> & Extra<Checked<D>, O> & { readonly description: D } {
  const field = make("object", doc, options ?? {}, (value, path) => checkObject(description, value, path));
  return Object.assign(field, { description }) as Field<Checked<D>> & Extra<Checked<D>, O> & { readonly description: D };
}

/** What {@link checkObject} returns: each field's value, or its default. */
export type Checked<D extends Description> = {
  readonly [K in keyof D]: D[K] extends Field<infer T> ? D[K] extends { fallback: T } | { required: true } ? T : T | undefined : never;
};

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}

/**
 * The known key closest to `key` (case ignored), when it is at most two edits away.
 *
 * @example
 * ```ts
 * import { closest } from "./describe.ts";
 * closest("scopes", ["scope", "client_id"]); // "scope"
 * ```
 */
export function closest(key: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

/**
 * Refuses keys of `value` that `known` does not list: `unknown option 'path.key'`, with a
 * "did you mean" when a known key is close.
 *
 * @example
 * ```ts
 * import { refuseUnknownKeys } from "./describe.ts";
 * refuseUnknownKeys({ scope: "a" }, ["scope"], ""); // fine
 * ```
 */
export function refuseUnknownKeys(value: object, known: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    const at = path === "" ? key : `${path}.${key}`;
    const message = `unknown option '${at}'${near === undefined ? "" : ` (did you mean '${near}'?)`}`;
    throw new ConfigurationError(message, at);
  }
}

/**
 * Checks an object against its description: it must be an object, every key known, every
 * required field given, every given field valid. Returns the fields' values with the
 * defaults applied. `path` names the object ("" for the root).
 *
 * @example
 * ```ts
 * import { checkObject, integer } from "./describe.ts";
 * checkObject({ n: integer("A number.", 0, 9, { default: 1 }) }, {}, ""); // { n: 1 }
 * ```
 */
export function checkObject<D extends Description>(description: D, value: unknown, path: string): Checked<D> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigurationError(`${path === "" ? "options" : path} must be an object`, path === "" ? undefined : path);
  }
  const keys = Object.keys(description);
  refuseUnknownKeys(value, keys, path);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const field = description[key]!;
    const given = (value as Record<string, unknown>)[key];
    const at = path === "" ? key : `${path}.${key}`;
    if (given === undefined) {
      if (field.required) throw problem(at, "is required");
      out[key] = field.fallback;
    } else {
      out[key] = field.check(given, at);
    }
  }
  checkRelations(description, out, path);
  return out as Checked<D>;
}

/**
 * Checks the {@link Relations} of a description's fields against `values` (the object's
 * checked fields, defaults applied); {@link checkObject} calls it, and so can a resolver
 * that checks its fields itself. `path` names the object ("" for the root).
 *
 * @example
 * ```ts
 * import { checkRelations, url } from "./describe.ts";
 * const d = { jwks: url("Keys."), jwksUri: url("Where the keys are.", { conflictsWith: "jwks" }) };
 * checkRelations(d, { jwksUri: "https://as.example.com/jwks" }, ""); // fine: jwks is absent
 * ```
 */
export function checkRelations(description: Description, values: Readonly<Record<string, unknown>>, path: string): void {
  for (const key of Object.keys(description)) {
    const relations = description[key]!.relations;
    if (relations === undefined) continue;
    // A rule naming no field of its description is a mistake of the library, not of the options.
    for (const rule of [relations.requires, relations.conflictsWith, relations.onlyWhen]) {
      const other = typeof rule === "string" ? rule : rule?.field;
      if (other !== undefined && !Object.hasOwn(description, other)) throw new TypeError(`the rule of ${key} names no field '${other}'`);
    }
    if (isPresent(values[key])) checkFieldRelations(relations, key, values, path === "" ? key : `${path}.${key}`);
  }
}

/** Whether a field counts for {@link Relations}: given, and neither `false` nor `[]`. */
function isPresent(value: unknown): boolean {
  return value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0);
}

/** The field a rule names, and its message when it has its own. */
function ruleOf(rule: string | { readonly field: string; readonly message: string }): [string, string | undefined] {
  return typeof rule === "string" ? [rule, undefined] : [rule.field, rule.message];
}

function checkFieldRelations(relations: Relations, key: string, out: Readonly<Record<string, unknown>>, at: string): void {
  if (relations.requires !== undefined) {
    const [other, message] = ruleOf(relations.requires);
    if (!isPresent(out[other])) throw problem(at, message ?? `needs ${other}`);
  }
  if (relations.conflictsWith !== undefined) {
    const [other, message] = ruleOf(relations.conflictsWith);
    if (isPresent(out[other])) throw problem(at, message ?? `must not be given with ${other}: give ${other} or ${key}, not both`);
  }
  const only = relations.onlyWhen;
  if (only !== undefined && !only.values.includes(out[only.field] as string)) {
    const list = only.values.length === 1 ? only.values[0] : `${only.values.slice(0, -1).join(", ")} and ${only.values.at(-1)}`;
    throw problem(at, only.message ?? `applies to ${list} only`);
  }
}

/**
 * A field whose value the resolver checks itself (a store, a key set, a rule spanning
 * fields): described for the known-key check and the options table, passed through here.
 *
 * @example
 * ```ts
 * import { resolvedLater } from "./describe.ts";
 * const store = resolvedLater<object>("TokenStore", "Where opaque tokens are recorded.", "a MemoryTokenStore");
 * ```
 */
export function resolvedLater<T>(kind: string, doc: string, defaultText?: string, relations?: Relations): Field<T> & { readonly required: false } {
  return custom<T>(kind, doc, (value) => value as T, { ...(defaultText === undefined ? {} : { defaultText }), ...relations }) as Field<T> & {
    readonly required: false;
  };
}
