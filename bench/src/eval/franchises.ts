// The franchise list of the neighbour-quality harness (issue 13): well-known film
// series matched by title patterns (bench/fixtures/franchises.json, our own list,
// not MovieLens data). A film belongs to a franchise when its MovieLens title matches
// any of the franchise's patterns (`new RegExp(p, 'i').test(title)`); the patterns
// use only syntax JavaScript and Python read alike (no \w, \d, no \b next to a
// non-ASCII letter), so the research's Python figures and these agree.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Franchise {
  name: string;
  patterns: RegExp[];
}

/** bench/fixtures/franchises.json, from the sources (bench/src/eval) or the bundle (dist/bench). */
export const DEFAULT_FRANCHISES =
  [resolve(__dirname, '../../fixtures/franchises.json'), resolve(__dirname, '../../bench/fixtures/franchises.json')].find((f) =>
    existsSync(f),
  ) ?? resolve('bench/fixtures/franchises.json');

/** Parses the list; a pattern that does not compile names its franchise and index. */
export function parseFranchises(text: string, where: string): Franchise[] {
  let json: { franchises?: { name?: unknown; patterns?: unknown }[] };
  try {
    json = JSON.parse(text) as typeof json;
  } catch (e) {
    throw new Error(`${where}: not JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(json.franchises)) throw new Error(`${where}: needs {"franchises": [{"name", "patterns": [...]}]}`);
  return json.franchises.map((f, i) => {
    if (typeof f.name !== 'string' || !Array.isArray(f.patterns) || f.patterns.length === 0) {
      throw new Error(`${where}: franchises[${i}] needs a "name" and a non-empty "patterns" array`);
    }
    const patterns = f.patterns.map((p, j) => {
      try {
        return new RegExp(String(p), 'i');
      } catch (e) {
        throw new Error(`${where}: franchise "${String(f.name)}" pattern ${j} does not compile: ${(e as Error).message}`);
      }
    });
    return { name: f.name, patterns };
  });
}

export function loadFranchises(file = DEFAULT_FRANCHISES): Franchise[] {
  return parseFranchises(readFileSync(file, 'utf8'), file);
}

/** Members (indices into `titles`) of each franchise; a title matching two franchises is an error. */
export function matchFranchises(franchises: Franchise[], titles: readonly string[]): { name: string; members: number[] }[] {
  const owner = new Map<number, string>();
  return franchises.map((f) => {
    const members: number[] = [];
    titles.forEach((t, i) => {
      if (!f.patterns.some((p) => p.test(t))) return;
      const prev = owner.get(i);
      if (prev !== undefined) throw new Error(`title "${t}" matches two franchises: "${prev}" and "${f.name}"; make the patterns disjoint`);
      owner.set(i, f.name);
      members.push(i);
    });
    return { name: f.name, members };
  });
}
