/**
 * Rules on the claims of a platform token (a GitHub Actions OIDC token, a Kubernetes service
 * account token, a SPIFFE JWT-SVID): which workload a registration accepts. Validated and
 * compiled once at start-up; matched on the request path without a regular expression.
 *
 * - `"octo-org/app"`: the claim is exactly this string.
 * - `["refs/heads/main", "refs/heads/release"]`: the claim is one of these strings.
 * - `{ pattern: "refs/tags/v*" }` (or a list of patterns): the claim matches the glob. `*`
 *   stands for any run of characters, `/` included, and is the only special character;
 *   the pattern is anchored at both ends. Matching is a few `indexOf`s over the claim, so
 *   no configured pattern can make it slow (there is no regular expression from
 *   configuration to go catastrophic).
 * - `{ "kubernetes.io": { namespace: "payments" } }`: a nested object holds rules on the
 *   claims inside the claim of that name. An object whose one member is `pattern` is a
 *   pattern rule, so a nested claim named `pattern` cannot be matched.
 *
 * A rule applies to string claims only: a claim that is missing, or is a number, a boolean,
 * an array or an object, fails its rule. Every rule must hold.
 *
 * @module
 */

import { ConfigurationError } from "../errors.ts";

/**
 * A glob pattern rule: the claim matches one of the patterns, where `*` stands for any run
 * of characters (none included) and every other character stands for itself.
 *
 * @example
 * ```ts
 * import type { ClaimPattern } from "../../mod.ts";
 * const releaseTags: ClaimPattern = { pattern: "refs/tags/v*" };
 * ```
 */
export interface ClaimPattern {
  readonly pattern: string | readonly string[];
}

/**
 * A rule on one string claim: an exact value, a list of allowed values, or a pattern.
 *
 * @example
 * ```ts
 * import type { ClaimRule } from "../../mod.ts";
 * const exact: ClaimRule = "octo-org/app";
 * const oneOf: ClaimRule = ["refs/heads/main", "refs/heads/release"];
 * const glob: ClaimRule = { pattern: "refs/heads/release/*" };
 * ```
 */
export type ClaimRule = string | readonly string[] | ClaimPattern;

/**
 * Rules on a token's claims, by claim name; a nested object holds the rules on a nested
 * claim (Kubernetes puts its own under `kubernetes.io`). Every rule must hold.
 *
 * @example A GitHub Actions job, and a Kubernetes service account
 * ```ts
 * import type { ClaimRules } from "../../mod.ts";
 * const deployJob: ClaimRules = { repository: "octo-org/app", ref: "refs/heads/main", environment: "production" };
 * const billingPod: ClaimRules = {
 *   sub: "system:serviceaccount:payments:billing",
 *   "kubernetes.io": { serviceaccount: { uid: "0f3b2a6c-7d41-4c47-9c1e-3b1c2d4e5f60" } },
 * };
 * ```
 */
export interface ClaimRules {
  readonly [claim: string]: ClaimRule | ClaimRules;
}

/** One accepted value of a leaf rule: a literal string, or a glob split at its `*`s. */
type Accepted = { readonly literal: string } | { readonly glob: string; readonly segments: readonly string[] };

/** A rule on the string claim at `path`. */
interface LeafRule {
  readonly path: readonly string[];
  readonly accepted: readonly Accepted[];
}

/** Rules validated and ready to match; see {@link compileClaimRules}. */
export interface CompiledClaimRules {
  readonly leaves: readonly LeafRule[];
}

/** Claims the token verifier checks itself; a rule on them would be misleading. */
const RESERVED: ReadonlySet<string> = new Set(["iss", "aud", "exp", "nbf", "iat", "jti"]);
const MAX_DEPTH = 8;
const MAX_PATTERN = 1_000;

function isPatternRule(value: object): value is ClaimPattern {
  return Object.hasOwn(value, "pattern") && Object.keys(value).length === 1;
}

/** Where errors go: the message's prefix and the option path of the claims object. */
interface Site {
  readonly where: string;
  readonly path: string | undefined;
}

/** `claims.ref`, `claims["kubernetes.io"].namespace`: a claim's place, as a path names it. */
function claimPath(path: readonly string[]): string {
  return path.map((n) => (/^[A-Za-z_$][\w$]*$/.test(n) ? `.${n}` : `[${JSON.stringify(n)}]`)).join("");
}

/**
 * A refusal of the rule at `path` (`[]`: the claims object itself): the message opens with
 * `where` and the rule's place, the error's path is the option's.
 */
function refuse(site: Site, path: readonly string[], message: string): never {
  const place = `claims${claimPath(path)}`;
  const separator = /^(must|is) /.test(message) ? " " : ": ";
  throw new ConfigurationError(`${site.where}.${place}${separator}${message}`, site.path === undefined ? undefined : `${site.path}${claimPath(path)}`);
}

function compileLeaf(site: Site, path: string[], rule: unknown): LeafRule {
  const name = path.join(".");
  if (typeof rule === "string") return { path, accepted: [{ literal: rule }] };
  if (Array.isArray(rule)) {
    if (rule.length === 0 || !rule.every((v) => typeof v === "string")) {
      refuse(site, path, `the rule on '${name}' must be a non-empty list of strings`);
    }
    return { path, accepted: [...new Set(rule as string[])].map((literal) => ({ literal })) };
  }
  const patterns = (rule as ClaimPattern).pattern;
  const list = typeof patterns === "string" ? [patterns] : patterns;
  if (!Array.isArray(list) || list.length === 0 || !list.every((p) => typeof p === "string")) {
    refuse(site, path, `the pattern of '${name}' must be a string or a non-empty list of strings`);
  }
  return {
    path,
    accepted: (list as string[]).map((glob) => {
      if (glob.length > MAX_PATTERN) refuse(site, path, `a pattern of '${name}' is longer than ${MAX_PATTERN} characters`);
      if (glob.replaceAll("*", "") === "") {
        refuse(site, path, `the pattern ${JSON.stringify(glob)} of '${name}' matches any value; leave the rule out or name a value`);
      }
      return { glob, segments: glob.split("*") };
    }),
  };
}

function compileInto(site: Site, rules: unknown, path: string[], out: LeafRule[]): void {
  if (typeof rules !== "object" || rules === null || Array.isArray(rules)) {
    refuse(site, path, "must be an object of rules by claim name");
  }
  if (path.length >= MAX_DEPTH) refuse(site, path, `is nested more than ${MAX_DEPTH} deep`);
  const names = Object.keys(rules);
  if (names.length === 0) refuse(site, path, "must name at least one rule");
  for (const name of names) {
    const rule = (rules as Record<string, unknown>)[name];
    const at = [...path, name];
    if (name === "") refuse(site, at, "a claim name must not be empty");
    if (path.length === 0 && RESERVED.has(name)) {
      refuse(site, at, `'${name}' is checked by the server itself (issuer, audience, times, replay); it cannot have a rule`);
    }
    if (typeof rule === "object" && rule !== null && !Array.isArray(rule) && !isPatternRule(rule)) {
      compileInto(site, rule, at, out);
    } else if (typeof rule === "string" || Array.isArray(rule) || (typeof rule === "object" && rule !== null)) {
      out.push(compileLeaf(site, at, rule));
    } else {
      refuse(site, at, `the rule on '${at.join(".")}' must be a string, a list of strings, { pattern } or an object of nested rules`);
    }
  }
}

/**
 * Validates claim rules and compiles them. `where` opens the message of a
 * {@link ConfigurationError} (e.g. `client "deploy": clients[0].federated_credentials[0]`),
 * followed by the rule's place (`.claims.ref`); `path`, when given, is the option path of
 * the claims object (`clients[0].federated_credentials[0].claims`), and the error's path
 * names the rule (`...claims.ref`, `...claims["kubernetes.io"].namespace`). Refused: no
 * rule at all, a rule on `iss`, `aud`, `exp`, `nbf`, `iat` or `jti` (checked by the server
 * itself), empty lists, a pattern that matches anything (`*`), patterns over 1,000
 * characters, nesting deeper than 8.
 *
 * @example
 * ```ts
 * import { compileClaimRules, matchClaimRules } from "./claim_rules.ts";
 * const rules = compileClaimRules({ repository: "octo-org/app", ref: { pattern: "refs/tags/v*" } }, "example");
 * matchClaimRules(rules, { repository: "octo-org/app", ref: "refs/tags/v1.2.0" }); // true
 * ```
 */
export function compileClaimRules(rules: ClaimRules, where: string, path?: string): CompiledClaimRules {
  const leaves: LeafRule[] = [];
  compileInto({ where, path }, rules, [], leaves);
  return { leaves };
}

/** Whether `value` matches the glob `segments` (the pattern split at its `*`s). */
function globMatches(segments: readonly string[], value: string): boolean {
  if (segments.length === 1) return value === segments[0];
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  // With `*` as the only wildcard, taking each middle segment at its leftmost place that
  // still leaves room for the rest is optimal: a later place only leaves less room.
  let at = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    const found = value.indexOf(segment, at);
    if (found === -1 || found + segment.length > end) return false;
    at = found + segment.length;
  }
  return true;
}

function accepts(accepted: Accepted, value: string): boolean {
  return "literal" in accepted ? accepted.literal === value : globMatches(accepted.segments, value);
}

/** The string at `path` in `claims`, or `undefined` (missing, or not a string). */
function claimAt(claims: Readonly<Record<string, unknown>>, path: readonly string[]): string | undefined {
  let node: unknown = claims;
  for (const name of path) {
    if (typeof node !== "object" || node === null || Array.isArray(node) || !Object.hasOwn(node, name)) return undefined;
    node = (node as Record<string, unknown>)[name];
  }
  return typeof node === "string" ? node : undefined;
}

/**
 * Whether `claims` satisfy every rule. A rule whose claim is missing or not a string fails.
 *
 * @example
 * ```ts
 * import { compileClaimRules, matchClaimRules } from "./claim_rules.ts";
 * const rules = compileClaimRules({ sub: "system:serviceaccount:payments:billing" }, "example");
 * matchClaimRules(rules, { sub: "system:serviceaccount:payments:other" }); // false
 * ```
 */
export function matchClaimRules(rules: CompiledClaimRules, claims: Readonly<Record<string, unknown>>): boolean {
  let ok = true;
  // Every rule is evaluated, so the time taken does not say which rule failed.
  for (const leaf of rules.leaves) {
    const value = claimAt(claims, leaf.path);
    let matched = false;
    if (value !== undefined) for (const a of leaf.accepted) if (accepts(a, value)) matched = true;
    if (!matched) ok = false;
  }
  return ok;
}

/**
 * Whether two globs (`*` the only wildcard) match a common string: a search over pairs of
 * positions in the two patterns, at most (|a|+1)(|b|+1) states.
 */
function globsIntersect(a: string, b: string): boolean {
  const seen = new Set<number>();
  const width = b.length + 1;
  const stack: Array<[number, number]> = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    if (i === a.length && j === b.length) return true;
    const key = i * width + j;
    if (seen.has(key)) continue;
    seen.add(key);
    const ca = a[i];
    const cb = b[j];
    if (ca === "*") stack.push([i + 1, j]);
    if (cb === "*") stack.push([i, j + 1]);
    if (ca === undefined || cb === undefined) continue;
    // One character consumed by both: a star takes any character, a literal only itself.
    if (ca === "*" && cb !== "*") stack.push([i, j + 1]);
    else if (ca !== "*" && cb === "*") stack.push([i + 1, j]);
    else if (ca !== "*" && ca === cb) stack.push([i + 1, j + 1]);
  }
  return false;
}

function acceptedOverlap(x: Accepted, y: Accepted): boolean {
  if ("literal" in x) return accepts(y, x.literal);
  if ("literal" in y) return accepts(x, y.literal);
  return globsIntersect(x.glob, y.glob);
}

const isPrefix = (p: readonly string[], q: readonly string[]) => p.length < q.length && p.every((n, i) => n === q[i]);

/**
 * Whether some claims set satisfies both rule sets: two registrations with overlapping
 * rules on one issuer could both accept one token, so a request without `client_id` could
 * not tell which client it is. Exact: rules on different claims can always both hold; on one
 * claim they overlap when some string is accepted by both; a claim that one set wants as a
 * string and the other as an object of nested claims cannot satisfy both.
 *
 * @example
 * ```ts
 * import { claimRulesOverlap, compileClaimRules } from "./claim_rules.ts";
 * const main = compileClaimRules({ repository: "octo-org/app", ref: "refs/heads/main" }, "a");
 * const tags = compileClaimRules({ repository: "octo-org/app", ref: { pattern: "refs/tags/*" } }, "b");
 * claimRulesOverlap(main, tags); // false: no ref is both
 * ```
 */
export function claimRulesOverlap(a: CompiledClaimRules, b: CompiledClaimRules): boolean {
  for (const x of a.leaves) {
    for (const y of b.leaves) {
      if (isPrefix(x.path, y.path) || isPrefix(y.path, x.path)) return false;
      if (x.path.length !== y.path.length || !x.path.every((n, i) => n === y.path[i])) continue;
      if (!x.accepted.some((p) => y.accepted.some((q) => acceptedOverlap(p, q)))) return false;
    }
  }
  return true;
}
