// Extraction of README.md's TypeScript blocks and their `<!-- snippet: ... -->` markers, shared by
// tests/readme_snippets.test.ts and tests/quick_start_tarball.test.ts (issue 18).

export interface Snippet {
  index: number;
  line: number;
  code: string;
  name?: string;
  continues: string[];
  runtime: "node" | "deno" | "bun";
}

/** Extracts the TypeScript blocks and their markers. */
export function extractSnippets(markdown: string): Snippet[] {
  const lines = markdown.split("\n");
  const snippets: Snippet[] = [];
  let pending: { name?: string; continues: string[] } = { continues: [] };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const marker = /^<!--\s*snippet:\s*(.*?)\s*-->\s*$/.exec(line);
    if (marker) {
      const body = marker[1] ?? "";
      const named = /name="([^"]+)"/.exec(body);
      if (named) pending.name = named[1];
      for (const m of body.matchAll(/continues "([^"]+)"/g)) pending.continues.push(m[1] ?? "");
      continue;
    }
    const fence = /^```(\w*)\s*$/.exec(line);
    if (fence) {
      const lang = fence[1] ?? "";
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ""); i++) body.push(lines[i] ?? "");
      if (lang === "ts" || lang === "typescript") {
        const code = body.join("\n");
        const live = code.replace(/\/\/.*$/gm, ""); // a runtime named in a comment is not used
        const runtime = /\bDeno\./.test(live) ? "deno" : /\bBun\./.test(live) ? "bun" : "node";
        snippets.push({ index: snippets.length, line: start + 1, code, ...pending, runtime });
      }
      pending = { continues: [] };
      continue;
    }
    if (line.trim() !== "") pending = { continues: [] };
  }
  return snippets;
}

