// The GraphQL examples people are shown (docs/graphql.md's ```graphql block, the curl
// lines `npm start` prints), read out of their text so a test can run every one of them
// against a served model: an example that fails or answers nothing is a defect.

/** Top-level `{ … }` documents of every ```graphql block, comments removed (brace-balanced; strings respected). */
export function graphqlExamples(markdown: string): string[] {
  const out: string[] = [];
  for (const block of markdown.matchAll(/```graphql\n([\s\S]*?)```/g)) {
    const text = block[1]
      .split('\n')
      .map((l) => stripComment(l))
      .join('\n');
    let depth = 0,
      start = -1,
      inString = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '"' && text[i - 1] !== '\\') inString = !inString;
      if (inString) continue;
      if (c === '{' && depth++ === 0) start = i;
      if (c === '}' && --depth === 0) out.push(text.slice(start, i + 1).replace(/\s+/g, ' '));
    }
  }
  return out;
}

function stripComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"' && line[i - 1] !== '\\') inString = !inString;
    if (line[i] === '#' && !inString) return line.slice(0, i);
  }
  return line;
}

/** The queries of the `curl … -d '{"query":"…"}'` lines in `text` (what npm start prints). */
export function printedExamples(text: string): string[] {
  return [...text.matchAll(/-d '(\{"query":.*\})'/g)].map((m) => (JSON.parse(m[1]) as { query: string }).query);
}

/** Runs one example; the problem with its answer (errors, or a root field null or empty), or null. */
export async function exampleProblem(url: string, query: string): Promise<string | null> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await r.json()) as { data?: Record<string, unknown> | null; errors?: { message: string }[] };
  if (body.errors?.length) return `errors: ${body.errors.map((e) => e.message).join('; ')}`;
  for (const [field, v] of Object.entries(body.data ?? {})) {
    if (v === null || v === undefined) return `${field} is null`;
    if (Array.isArray(v) && v.length === 0) return `${field} is empty`;
    const nodes = (v as { nodes?: unknown[] }).nodes;
    if (Array.isArray(nodes) && nodes.length === 0) return `${field}.nodes is empty`;
  }
  return null;
}
