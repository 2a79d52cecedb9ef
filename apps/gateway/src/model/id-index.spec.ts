// IdIndex answers what the Map it replaced answered (id → its position, the last one
// for an id given twice), in both of its forms: a dense table for compact ids and a
// sorted list for spread-out ones.
import fc from 'fast-check';
import { IdIndex } from './id-index';

const asMap = (ids: readonly number[]) => new Map(ids.map((id, i) => [id, i]));

describe('IdIndex', () => {
  it('answers as a Map of id to position, for compact and spread-out ids, repeats and probes outside', () => {
    const ids = fc.oneof(
      fc.array(fc.integer({ min: -50, max: 400 }), { maxLength: 300 }), // compact: the dense table
      fc.array(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), { maxLength: 300 }), // spread out: the sorted list
      fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(2 ** 31 + 5)), { maxLength: 40 }),
    );
    fc.assert(
      fc.property(ids, fc.array(fc.oneof(fc.integer({ min: -60, max: 450 }), fc.double(), fc.constant(Number.NaN))), (list, probes) => {
        const index = new IdIndex(list);
        const map = asMap(list);
        expect(index.size).toBe(map.size);
        for (const id of [...list, ...probes, 0.5, -0, Infinity, -Infinity]) {
          expect(index.get(id)).toBe(map.get(id));
          expect(index.has(id)).toBe(map.has(id));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('takes typed arrays and ids in any order; an empty index finds nothing', () => {
    const index = new IdIndex(Int32Array.from([30, 10, 20]));
    expect([10, 20, 30, 40].map((id) => index.get(id))).toEqual([1, 2, 0, undefined]);
    expect(new IdIndex([]).get(0)).toBeUndefined();
    expect(new IdIndex([]).size).toBe(0);
  });
});
