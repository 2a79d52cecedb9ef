// Plain-text tables for a terminal: columns padded to their widest cell and two spaces
// apart, an optional header underlined with dashes, no trailing blanks. What the ingest's
// counts table and the generator's --stats print.

export interface TableOptions {
  /** Column titles; underlined with dashes. */
  head?: readonly string[];
  /** Columns aligned right (numbers); the others are aligned left. */
  alignRight?: (column: number) => boolean;
}

export function formatTable(rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  const all = opts.head ? [opts.head, ...rows] : rows;
  const columns = Math.max(0, ...all.map((r) => r.length));
  const width = Array.from({ length: columns }, (_, c) => Math.max(0, ...all.map((r) => (r[c] ?? '').length)));
  const right = opts.alignRight ?? (() => false);
  const line = (r: readonly string[]) =>
    width
      .map((w, c) => (right(c) ? (r[c] ?? '').padStart(w) : (r[c] ?? '').padEnd(w)))
      .join('  ')
      .trimEnd();
  const out = rows.map(line);
  return (opts.head ? [line(opts.head), width.map((w) => '-'.repeat(w)).join('  '), ...out] : out).join('\n');
}
