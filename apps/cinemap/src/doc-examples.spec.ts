// Given docs-like text, the examples come out whole: several per line, across lines,
// comments dropped, braces and # inside strings left alone; curl lines give their query.
import { graphqlExamples, printedExamples } from './doc-examples';

describe('graphqlExamples', () => {
  it('splits a block into its top-level documents', () => {
    const md = [
      'text { not: this }',
      '```graphql',
      '{ a(x: "}#{") { b } }   { c }   # a comment { d }',
      '{ e(f: 1) {',
      '    g } }',
      '```',
      '```ts',
      '{ h }',
      '```',
    ].join('\n');
    expect(graphqlExamples(md)).toEqual(['{ a(x: "}#{") { b } }', '{ c }', '{ e(f: 1) { g } }']);
  });

  it('finds the examples of docs/graphql.md (planted: an empty text has none)', () => {
    const md = require('node:fs').readFileSync(require('node:path').join(__dirname, '../../../docs/graphql.md'), 'utf8') as string;
    expect(graphqlExamples(md).length).toBeGreaterThan(10);
    expect(graphqlExamples('')).toEqual([]);
  });
});

describe('printedExamples', () => {
  it('reads the query of each curl line as npm start prints it', () => {
    const out = `  curl -s http://x/graphql -H 'content-type: application/json' \\\n    -d '{"query":"{ a(t: \\"The Matrix\\") { b } }"}'\n`;
    expect(printedExamples(out)).toEqual(['{ a(t: "The Matrix") { b } }']);
  });
});
