// CSV output exactly as MovieLens writes it: RFC 4180 quoting only where a
// field needs it (comma, double quote, CR or LF), embedded quotes doubled, LF
// line endings, UTF-8 without BOM.

const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field: `Matrix, The (1999)` -> `"Matrix, The (1999)"`; `"Quoted" X` -> `"""Quoted"" X"`. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A 7-digit zero-padded IMDb id as links.csv has it (`0114709`); longer ids stay as they are. */
export function imdbField(id: number): string {
  return String(id).padStart(7, '0');
}
