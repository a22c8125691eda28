// In-process cost of the pieces of readForm (ns per call, medians); the body methods cost
// differently over Bun.serve and Deno.serve than here (see cpu.mjs).
import { micro } from "./micro.ts";
import { parseForm, readForm } from "../../src/http/form.ts";
import { tokenRequest, BODY } from "../fixture.ts";
const limits = { maxBytes: 8192, timeoutMs: 10_000 };
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const bytes = new TextEncoder().encode(BODY);
const cases: Record<string, () => unknown> = {
  "Request": () => tokenRequest(),
  "Request+arrayBuffer": () => tokenRequest().arrayBuffer(),
  "Request+bytes": () => tokenRequest().bytes(),
  "Request+text": () => tokenRequest().text(),
  "readForm": () => readForm(tokenRequest(), limits),
  "decode": () => UTF8.decode(bytes),
  "parseForm": () => parseForm(BODY),
  "headers.get x2": (() => { const r = tokenRequest(); return () => r.headers.get("content-type") !== null && r.headers.get("content-length"); })(),
  "setTimeout+clear": () => clearTimeout(setTimeout(() => {}, 10000)),
  "race+timer": () => { let t; const p = Promise.race([Promise.resolve(1), new Promise((_, rej) => { t = setTimeout(rej, 10000); })]); clearTimeout(t); return p; },
  "3 awaits": async () => { for (let i = 0; i < 3; i++) await undefined; },
};
console.log(JSON.stringify(await micro(cases)));
