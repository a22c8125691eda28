// Reads an environment variable on Node, Deno and Bun alike.
const runtime = globalThis as {
  Deno?: { env: { get(name: string): string | undefined } };
  process?: { env: Record<string, string | undefined> };
};

/** The variable's value, or undefined. */
export function env(name: string): string | undefined {
  return runtime.Deno !== undefined ? runtime.Deno.env.get(name) : runtime.process?.env[name];
}
