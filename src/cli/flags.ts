/**
 * Command-line flags: `--name value`, `--name=value`, boolean `--name`, `--` to end the
 * flags. Strict on purpose: an unknown or repeated flag is a usage error, never ignored,
 * so a typo cannot silently produce a weaker client or key.
 *
 * @module
 */

import { UsageError } from "./io.ts";

/**
 * How one flag is read.
 *
 * @example
 * ```ts
 * import type { FlagSpec } from "./flags.ts";
 * const resource: FlagSpec = { type: "string", multiple: true };
 * ```
 */
export interface FlagSpec {
  /** `string` takes a value; `boolean` does not. */
  readonly type: "string" | "boolean";
  /** May be given more than once (values collected in order). */
  readonly multiple?: boolean;
}

/**
 * Parsed flags and the remaining positional arguments.
 *
 * @example
 * ```ts
 * import type { ParsedArgs } from "./flags.ts";
 * const parsed: ParsedArgs = { flags: { alg: "ES256", help: true }, positionals: ["key.pem"] };
 * ```
 */
export interface ParsedArgs {
  readonly flags: Readonly<Record<string, string | boolean | readonly string[]>>;
  readonly positionals: readonly string[];
}

/**
 * Parses `args` against `spec`. `--help` and `-h` are always known (boolean `help`).
 *
 * @example
 * ```ts
 * import { parseFlags } from "./flags.ts";
 * parseFlags(["--alg", "ES256", "--out=key.json"], { alg: { type: "string" }, out: { type: "string" } });
 * // { flags: { alg: "ES256", out: "key.json" }, positionals: [] }
 * ```
 */
export function parseFlags(args: readonly string[], spec: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const flags: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg === "-h" || arg === "--help") {
      flags.help = true;
      continue;
    }
    if (!arg.startsWith("--")) {
      if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown flag ${arg} (flags are spelt --name)`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const flag = spec[name];
    if (flag === undefined) throw new UsageError(`unknown flag --${name}`);
    if (flag.type === "boolean") {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      const next = args[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    if (flag.multiple) {
      const list = (flags[name] ?? []) as string[];
      list.push(value);
      flags[name] = list;
    } else {
      if (name in flags) throw new UsageError(`--${name} is given twice`);
      flags[name] = value;
    }
  }
  return { flags, positionals };
}

/**
 * A string flag's value, or `fallback`; with `choices`, refuses any other value.
 *
 * @example
 * ```ts
 * import { parseFlags, stringFlag } from "./flags.ts";
 * const { flags } = parseFlags(["--alg", "ES256"], { alg: { type: "string" } });
 * stringFlag(flags, "alg", "ES256", ["ES256", "ES384"]); // "ES256"
 * ```
 */
export function stringFlag<T extends string>(
  flags: ParsedArgs["flags"],
  name: string,
  fallback: T,
  choices?: readonly T[],
): T;
export function stringFlag(flags: ParsedArgs["flags"], name: string): string | undefined;
export function stringFlag(
  flags: ParsedArgs["flags"],
  name: string,
  fallback?: string,
  choices?: readonly string[],
): string | undefined {
  const value = flags[name];
  if (value === undefined) return fallback;
  if (typeof value !== "string") throw new UsageError(`--${name} needs a value`);
  if (value === "") throw new UsageError(`--${name} must not be empty`);
  if (choices !== undefined && !choices.includes(value)) {
    throw new UsageError(`--${name} must be one of ${choices.join(", ")} (got ${JSON.stringify(value)})`);
  }
  return value;
}
