// Serves one diagnostic handler of variants.ts over @hono/node-server (for cpu.mjs's "node:"
// configs). Run as `node --import tsx bench/diag/node.ts <variant>`, one process, so the CPU
// counted is the server's.
import { serve } from "@hono/node-server";
import { variants } from "./variants.ts";

serve({ fetch: variants[process.argv[2]!]!(), port: 0, hostname: "127.0.0.1" }, (info) => console.log(`LISTENING ${info.port}`));
