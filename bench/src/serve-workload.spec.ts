// The serving bench's streams are what they claim: Zipf(s = 1) over films ranked by
// rating count, about 30% filtered and 10% moods, seeded; the distinct streams ask for
// every title exactly once.
import { Rng } from '@cinemap/math';
import { distinctStream, mixStream, zipfSampler, type BareRequest } from './serve-workload';

const films = Array.from({ length: 2000 }, (_, i) => ({ title: `Film ${i}`, ratingCount: (i * 7919) % 2000 }));

describe('serving workload', () => {
  it('draws Zipf(s=1): rank 1 about twice rank 2 and ten times rank 10', () => {
    const draw = zipfSampler(1000, 1, new Rng(1));
    const counts = new Array(1000).fill(0);
    for (let i = 0; i < 200_000; i++) counts[draw()]++;
    expect(counts[0] / counts[1]).toBeGreaterThan(1.8);
    expect(counts[0] / counts[1]).toBeLessThan(2.2);
    expect(counts[0] / counts[9]).toBeGreaterThan(8.5);
    expect(counts[0] / counts[9]).toBeLessThan(11.5);
  });

  it('mixes 30% filtered and 10% moods, the most-rated film asked most, the same every run', () => {
    const mix = mixStream(films, ['Drama', 'Comedy'], 20_000);
    expect(mix.moods / 20_000).toBeCloseTo(0.1, 1);
    expect(mix.filtered / 20_000).toBeCloseTo(0.3, 1);
    const bare = mix.bare.map((b) => JSON.parse(b) as BareRequest);
    expect(bare.filter((r) => r.mood).every((r) => r.titles.length >= 2 && r.titles.length <= 3)).toBe(true);
    // kinds[i] names request i, as the open-loop run reports latency per kind
    expect(mix.kinds).toEqual(bare.map((r) => (r.mood ? 'mood' : r.filter ? 'filtered' : 'list')));
    const top = [...films].sort((a, b) => b.ratingCount - a.ratingCount)[0].title;
    const asked = new Map<string, number>();
    for (const r of bare) if (!r.mood) asked.set(r.titles[0], (asked.get(r.titles[0]) ?? 0) + 1);
    expect(Math.max(...asked.values())).toBe(asked.get(top));
    expect(JSON.parse(mix.gateway[0]).variables).toMatchObject({ k: 10 });
    expect(mixStream(films, ['Drama', 'Comedy'], 50).gateway).toEqual(mix.gateway.slice(0, 50));
  });

  it('asks for every title once in the distinct streams, with the filter given', () => {
    const d = distinctStream(films, { genres: ['Drama'] });
    const titles = d.bare.map((b) => (JSON.parse(b) as BareRequest).titles[0]);
    expect(new Set(titles).size).toBe(films.length);
    expect(titles.slice(0, 5)).not.toEqual(films.slice(0, 5).map((f) => f.title));
    expect(JSON.parse(d.gateway[0]).variables.f).toEqual({ genres: ['Drama'] });
  });
});
