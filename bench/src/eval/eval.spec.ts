// The neighbour-quality harness (`npm run eval`): its measures on hand-made vectors,
// the franchise list's patterns in JavaScript (they must match as Python's `re` does,
// which the research used), and a regression check on the synthetic `small` dump's
// planted franchises: BLEND finds them far better than TASTE, and the same harness
// with the audience rows shuffled (planted mistake) finds almost none.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@cinemap/math';
import { generateSyntheticDump } from '@cinemap/synthetic';
import { loadFranchises, matchFranchises, parseFranchises } from './franchises';
import { franchiseRecall, genreJaccard } from './quality';
import { evalInput, evalResult, evaluateBases, formatEval, genreSet, type EvalInput, type EvalResult } from './run-eval';

describe('franchiseRecall and genreJaccard (hand-made vectors)', () => {
  // Five films in 2-D: 0, 1, 2 point one way, 3 and 4 elsewhere.
  const v = { rows: 5, dim: 2, data: Float32Array.from([1, 0, 0.9, 0.1, 0.1, 1, 0, 1, -1, 0]) };
  it('queries with the most-rated member, pools found / possible, and applies the floor to members and candidates', () => {
    expect(franchiseRecall(v, [100, 50, 50, 50, 50], [{ members: [0, 1, 2] }], 0, 1)).toEqual({ recall: 0.5, macro: 0.5, queries: 1 });
    expect(franchiseRecall(v, [100, 50, 50, 50, 50], [{ members: [0, 1, 2] }], 0, 3).recall).toBe(1);
    expect(franchiseRecall(v, [100, 50, 50, 50, 50], [{ members: [0, 1, 2] }], 60, 1)).toEqual({ recall: NaN, macro: NaN, queries: 0 });
    // pooled (2 found of 3) vs macro (mean of 1/1 and 1/2)
    const two = franchiseRecall(v, [100, 90, 50, 80, 50], [{ members: [0, 1] }, { members: [3, 2, 4] }], 0, 1);
    expect(two.queries).toBe(2);
    expect(two.recall).toBeCloseTo(2 / 3, 12);
    expect(two.macro).toBeCloseTo(0.75, 12);
  });

  it('genre Jaccard of the most-rated films with their nearest; two empty sets count 0', () => {
    const g = [genreSet('Drama|War'), genreSet('Drama'), genreSet('Comedy'), genreSet('(no genres listed)'), genreSet('unknown')];
    expect(g[3].size + g[4].size).toBe(0);
    // film 0 (most rated) -> nearest 1: J({Drama, War}, {Drama}) = 1/2; top 1 query only
    expect(genreJaccard(v, [100, 50, 50, 50, 50], g, 0, 1, 1)).toBeCloseTo(0.5, 12);
    // film 3 -> nearest 2 (cos 0.995): J(∅, {Comedy}) = 0
    expect(genreJaccard(v, [0, 0, 0, 100, 0], g, 0, 1, 1)).toBe(0);
  });
});

describe('the franchise list (bench/fixtures/franchises.json)', () => {
  const list = loadFranchises();
  it('has at least 30 franchises, each with a compiled pattern', () => {
    expect(list.length).toBeGreaterThanOrEqual(30);
    expect(list.every((f) => f.patterns.length > 0)).toBe(true);
  });

  it('matches both MovieLens title conventions as the research (Python re) did, hand-made titles', () => {
    const titles = [
      'Star Wars: Episode IV - A New Hope (1977)', // ml-latest
      'Star Wars (1977)', // ml-100k
      'Empire Strikes Back, The (1980)',
      'Matrix, The (1999)',
      'Matrix Reloaded, The (2003)',
      'Alien³ (a.k.a. Alien 3) (1992)', // the dialect trap: \b after a non-ASCII letter differs between JS and Python
      'Toy Story (1995)',
      'Toy Story 2 (1999)',
      'Star Wars: The Clone Wars (2008)', // animated spin-off: left out on purpose
      'Shawshank Redemption, The (1994)',
    ];
    const got = Object.fromEntries(
      matchFranchises(list, titles)
        .filter((f) => f.members.length)
        .map((f) => [f.name, f.members]),
    );
    expect(got['Star Wars']).toEqual([0, 1, 2]);
    expect(got['Toy Story']).toEqual([6, 7]);
    expect(Object.values(got).flat()).not.toContain(8);
    expect(Object.values(got).flat()).not.toContain(9);
    const matrix = Object.entries(got).find(([name]) => /matrix/i.test(name));
    expect(matrix?.[1]).toEqual([3, 4]);
    const alien = Object.entries(got).find(([name]) => /alien/i.test(name));
    expect(alien?.[1]).toContain(5);
  });

  it('refuses a title in two franchises, and a pattern that does not compile, by name', () => {
    const two = parseFranchises(
      JSON.stringify({
        franchises: [
          { name: 'A', patterns: ['^Toy'] },
          { name: 'B', patterns: ['Story'] },
        ],
      }),
      'x.json',
    );
    expect(() => matchFranchises(two, ['Toy Story (1995)'])).toThrow(/"Toy Story \(1995\)" matches two franchises: "A" and "B"/);
    expect(() => parseFranchises(JSON.stringify({ franchises: [{ name: 'Bad', patterns: ['ok', '(unclosed'] }] }), 'x.json')).toThrow(
      /x\.json: franchise "Bad" pattern 1 does not compile/,
    );
    expect(() => parseFranchises('{', 'x.json')).toThrow(/x\.json: not JSON/);
  });
});

describe('npm run eval on the synthetic small dump (planted franchises)', () => {
  const work = mkdtempSync(join(tmpdir(), 'cinemap-eval-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  let r: EvalResult;
  let input: EvalInput;
  beforeAll(async () => {
    const g = await generateSyntheticDump({ out: join(work, 'small'), scale: 'small', seed: 42 });
    input = await evalInput({ source: g.dir, seed: 1, threads: 1, weight: 0.3, log: () => {} });
    r = evalResult(g.dir, input);
  }, 120_000);
  const at = (basis: string, floor: number) => r.bases.find((b) => b.basis === basis)!.recall.find((x) => x.floor === floor)!.recall;

  it('BLEND finds planted franchise members far better than TASTE (>= 1.4x at the default floor)', () => {
    expect(r.franchisesWithMembers).toBeGreaterThan(30);
    expect(at('BLEND', 10)).toBeGreaterThanOrEqual(1.4 * at('TASTE', 10));
    expect(at('BLEND', 10)).toBeGreaterThan(0.7);
    expect(at('AUDIENCE', 10)).toBeGreaterThan(0.7);
    expect(formatEval(r, 0.3)).toMatch(/\| BLEND \| 0\.\d\d \/ 0\.\d\d \/ 0\.\d\d \/ \d\.\d\d \| 0\.\d{3} \/ 0\.\d{3} \/ 0\.\d{3} \|/);
  });

  it('planted mistake: the same audience vectors with their rows shuffled find almost nothing', () => {
    const v = input.vectors.AUDIENCE;
    const perm = new Rng(3).permutation(v.rows);
    const shuffled = new Float32Array(v.data.length);
    perm.forEach((from, to) => shuffled.set(v.data.subarray(from * v.dim, (from + 1) * v.dim), to * v.dim));
    const [f] = evaluateBases([{ basis: 'AUDIENCE', v: { ...v, data: shuffled } }], input.counts, input.genres, input.franchises);
    expect(f.recall.find((x) => x.floor === 10)!.recall).toBeLessThan(0.1);
  });
});
