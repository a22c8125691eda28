// A variants.ts handler on @hono/node-server (bench/node_modules), for bench/diag/cpu.mjs's "node:<variant>".
import process from "node:process";
import { serve } from "@hono/node-server";
import { variants } from "./variants.ts";
serve({ fetch: variants[process.argv[2]!]!(), port: 0, hostname: "127.0.0.1" }, (info) => console.log(`LISTENING ${info.port}`));
