/**
 * The runtime's name and version as it states them in `navigator.userAgent` (HTML,
 * NavigatorID: a web standard), read once at module load: `Deno/2.1.4`, `Bun/1.1.38`,
 * `Node.js/22`, or `""` where there is no `navigator` (Node 20). A few hot paths pick the
 * cheaper of two equivalent shapes by it; the choice changes what a step costs, never what
 * it answers, so a wrong or missing agent only costs speed.
 *
 * @module
 */

/**
 * `navigator.userAgent`, or `""` when the runtime has none.
 *
 * @example
 * ```ts
 * import { runtimeAgent } from "./runtime_agent.ts";
 * const onDeno = runtimeAgent.startsWith("Deno/");
 * ```
 */
export const runtimeAgent: string = (() => {
  const agent = (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent;
  return typeof agent === "string" ? agent : "";
})();
