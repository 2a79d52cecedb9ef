// The page a browser gets at GET /graphql while introspection is on: a small, self-contained
// query console (no script or style from the network, so it works offline and in a
// cluster without egress; Apollo's Sandbox needs the internet) with working examples.
// Every example is run against the offline demo set by apps/cinemap's start test.
import type { ApolloServerPlugin } from '@apollo/server';

/** [label, query]: what the console offers; titles the demo set and real MovieLens both hold. */
export const LANDING_EXAMPLES: readonly (readonly [string, string])[] = [
  ['Films like The Matrix', '{ similarMovies(title: "The Matrix", k: 5) { similarity movie { displayTitle year genres } } }'],
  [
    'Only the good ones',
    '{ similarMovies(title: "The Matrix", k: 5, filter: { minAverageRating: 3.5 }) { similarity movie { displayTitle averageRating } } }',
  ],
  [
    'A mood, with one to avoid',
    '{ similarToMany(titles: ["The Matrix", "The Shawshank Redemption"], avoid: ["Mary Poppins"], k: 5) { similarity movie { displayTitle } } }',
  ],
  [
    'Recommendations from my ratings',
    '{ recommendFor(ratings: [{ title: "The Matrix", rating: 5 }, { title: "Mary Poppins", rating: 2 }], k: 5) { predictedRating movie { displayTitle year } } }',
  ],
  ['Search (only films the model knows)', '{ searchMovies(query: "matr", inModel: true) { id displayTitle year inModel } }'],
  [
    'Least appreciated, and why',
    '{ appreciatedMovies(order: LEAST, first: 5) { totalCount nodes { displayTitle bias } shapedBy { summary } } }',
  ],
  ['Genres', '{ genres { name movies inModel } }'],
  ['The model', '{ activeModel { id engine factors movieCount upToDate } }'],
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The console's HTML (inline script and style only). */
export function landingPageHtml(): string {
  const options = LANDING_EXAMPLES.map(([label], i) => `<option value="${i}">${esc(label)}</option>`).join('');
  const data = JSON.stringify(LANDING_EXAMPLES.map(([, q]) => q)).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>cinemap GraphQL</title>
<style>body{font:15px system-ui,sans-serif;margin:1.5rem;max-width:60rem}textarea,pre{width:100%;box-sizing:border-box;font:13px ui-monospace,monospace}
textarea{height:9rem}pre{background:#f4f4f4;padding:.75rem;min-height:8rem;white-space:pre-wrap}button,select{font:inherit;margin:.5rem .5rem .5rem 0}</style></head>
<body id="cinemap-landing-page"><h1>cinemap GraphQL</h1>
<p>POST JSON <code>{"query": "…"}</code> to this URL. Pick an example or write a query, then run it. The schema and every field: <code>apps/gateway/schema.graphql</code>; docs: <code>docs/graphql.md</code>.</p>
<label>Example <select id="examples">${options}</select></label>
<textarea id="query" aria-label="GraphQL query"></textarea>
<button id="run" type="button">Run</button>
<pre id="result" aria-live="polite"></pre>
<script type="application/json" id="example-queries">${data}</script>
<script>
const qs = JSON.parse(document.getElementById('example-queries').textContent);
const sel = document.getElementById('examples'), box = document.getElementById('query'), out = document.getElementById('result');
const pick = () => { box.value = qs[Number(sel.value)]; };
sel.addEventListener('change', pick); pick();
document.getElementById('run').addEventListener('click', async () => {
  out.textContent = 'running…';
  try {
    const r = await fetch(location.pathname, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: box.value }) });
    out.textContent = JSON.stringify(await r.json(), null, 2);
  } catch (e) { out.textContent = String(e); }
});
</script></body></html>`;
}

/** Apollo plugin serving the console as the landing page. */
export function landingPagePlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async serverWillStart() {
      const html = landingPageHtml();
      return {
        async renderLandingPage() {
          return { html };
        },
      };
    },
  };
}
