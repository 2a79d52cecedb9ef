// The explorer in real headless Chromium against a real gateway on the seeded
// synthetic store: given the page, when a person searches, picks, filters, clicks the
// map or mistypes, then the page shows what the API answers. Screenshots of the main
// views go to reports/explorer/*.png (look at them after a change to the page).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { MAP_QUERY, MOOD_QUERY, SIMILAR_QUERY } from '../src/api/queries';
import type { MovieProjection, SimilarMovie } from '../src/api/types';
import { REPORTS, api, browserProblem, launchBrowser, skipBrowser, startSeededGateway, type RunningGateway } from './harness';

const d = skipBrowser ? describe.skip : describe;
jest.setTimeout(60_000);

d('explorer in a browser, on a seeded gateway', () => {
  let gw: RunningGateway;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const problem = browserProblem();
    if (problem) throw new Error(problem);
    mkdirSync(REPORTS, { recursive: true });
    gw = await startSeededGateway();
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // The page must need nothing outside the gateway (it runs in clusters without egress).
    page.on('request', (r) => {
      if (!r.url().startsWith(gw.origin) && !r.url().startsWith('data:')) pageErrors.push(`request outside the gateway: ${r.url()}`);
    });
  });
  afterEach(async () => {
    await page?.close();
    expect(pageErrors).toEqual([]);
  });

  const open = async (query = '') => {
    await page.goto(`${gw.origin}/${query}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  };
  const renders = async () => Number((await page.getAttribute('#results', 'data-render-count')) ?? 0);
  const waitForRender = (after: number) =>
    page.waitForFunction((n) => Number(document.getElementById('results')?.dataset.renderCount ?? 0) > n, after);
  const listedIds = () => page.$$eval('#results-list > li', (lis) => lis.map((li) => Number((li as HTMLElement).dataset.movieId)));
  const shot = (name: string, fullPage = false) => page.screenshot({ path: join(REPORTS, `${name}.png`), fullPage });

  it('loads from the gateway: map, most/least appreciated and the model card with its RMSE chart', async () => {
    const timing = async () => ({
      readyMs: Number(await page.getAttribute('body', 'data-ready-ms')),
      ...(await page.evaluate(() => {
        const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        const api = performance.getEntriesByType('resource').filter((r) => r.name.endsWith('/graphql'));
        return {
          domContentLoadedMs: Math.round(n.domContentLoadedEventEnd),
          loadMs: Math.round(n.loadEventEnd),
          graphqlRequestMs: api.map((r) => Math.round(r.duration)),
        };
      })),
    });
    const assets: { url: string; cacheControl?: string }[] = [];
    page.on('response', (r) => {
      if (r.url().startsWith(gw.origin) && !r.url().endsWith('/graphql'))
        assets.push({ url: r.url().slice(gw.origin.length), cacheControl: r.headers()['cache-control'] });
    });
    await open();
    const firstVisit = await timing();
    // Everything came from the gateway (no CDN): index.html revalidated, hashed assets cached for good.
    expect(assets.find((a) => a.url === '/')?.cacheControl).toBe('no-cache');
    const hashed = assets.filter((a) => /^\/assets\/.+-[A-Za-z0-9_-]{8}\.(js|css)$/.test(a.url));
    expect(hashed.map((a) => a.url.split('.').pop()).sort()).toEqual(['css', 'js']);
    expect(hashed.every((a) => a.cacheControl?.includes('immutable'))).toBe(true);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    const reload = await timing();
    // A new visitor (empty browser cache) once the gateway has answered a first request.
    const visitor = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await visitor.goto(`${gw.origin}/`);
    await visitor.waitForSelector('body[data-ready="true"]');
    const newVisitor = { readyMs: Number(await visitor.getAttribute('body', 'data-ready-ms')) };
    await visitor.close();
    // Recorded, not asserted (timings vary by machine): the "< 1 s on localhost" is read
    // from here. readyMs: navigation start until the map, lists and model card are all drawn;
    // firstVisit is the gateway's first request ever (cold server and browser).
    writeFileSync(
      join(REPORTS, 'load-timing.json'),
      `${JSON.stringify({ firstVisit, reload, newVisitor, measuredAt: new Date().toISOString() }, null, 2)}\n`,
    );
    expect(Number(await page.getAttribute('#map', 'data-point-count'))).toBeGreaterThanOrEqual(100);
    expect(await page.$$eval('#most-list li', (l) => l.length)).toBeGreaterThan(0);
    expect(await page.$$eval('#least-list li', (l) => l.length)).toBeGreaterThan(0);
    const facts = await page.$$eval('#model-facts dt', (dts) => dts.map((dt) => dt.textContent));
    expect(facts).toEqual(expect.arrayContaining(['Engine', 'Backend', 'Valid RMSE (last epoch)']));
    expect(await page.getAttribute('#loss-chart', 'aria-label')).toMatch(/epoch 1 .*epoch 2/);
    await shot('overview', true);
  });

  it("search as you type, pick with the keyboard: the neighbours are the API's answer", async () => {
    await open();
    await page.focus('#search');
    await page.keyboard.type('matrix');
    await page.waitForSelector('#search-options:not([hidden]) [role="option"]');
    expect(await page.getAttribute('#search', 'aria-expanded')).toBe('true');
    const options = await page.$$eval('#search-options [role="option"]', (o) => o.map((x) => x.firstChild?.textContent));
    expect(options).toContain('Matrix, The (1999)');
    await shot('search-suggestions');
    const before = await renders();
    for (let i = 0; i <= options.indexOf('Matrix, The (1999)'); i++) await page.keyboard.press('ArrowDown');
    const active = await page.getAttribute('#search', 'aria-activedescendant');
    expect(await page.getAttribute(`#${active}`, 'aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await waitForRender(before);
    expect(await page.textContent('#results-heading')).toBe('Films like Matrix, The (1999)');
    const want = await api<{ similarMovies: SimilarMovie[] }>(gw.origin, SIMILAR_QUERY, {
      title: 'Matrix, The (1999)',
      k: 10,
      filter: null,
    });
    expect(want.similarMovies.length).toBe(10);
    expect(await listedIds()).toEqual(want.similarMovies.map((s) => s.movie.id));
    const first = want.similarMovies[0];
    const row = await page.$eval('#results-list > li', (li) => ({
      text: li.textContent,
      links: [...li.querySelectorAll('a')].map((a) => a.getAttribute('href')),
    }));
    expect(row.text).toContain(`similarity ${first.similarity.toFixed(2)}`);
    expect(row.text).toContain(`★ ${first.movie.averageRating.toFixed(2)} average`);
    expect(row.links).toEqual([first.movie.imdbUrl, first.movie.tmdbUrl].filter(Boolean));
    expect(Number(await page.getAttribute('#map', 'data-highlighted'))).toBeGreaterThan(0);
    await shot('neighbours', true);

    // k: five films instead of ten
    const b2 = await renders();
    await page.fill('#k', '5');
    await waitForRender(b2);
    expect((await listedIds()).length).toBe(5);
  });

  it('a filter changes the list: only good films, all of them at or above 3.5', async () => {
    await open('?film=Godfather%2C%20The%20(1972)');
    await page.waitForSelector('#results-list > li');
    const unfiltered = await listedIds();
    const before = await renders();
    await page.check('#only-good');
    await waitForRender(before);
    const filtered = await listedIds();
    const want = await api<{ similarMovies: SimilarMovie[] }>(gw.origin, SIMILAR_QUERY, {
      title: 'Godfather, The (1972)',
      k: 10,
      filter: { minAverageRating: 3.5 },
    });
    expect(filtered).toEqual(want.similarMovies.map((s) => s.movie.id));
    expect(want.similarMovies.every((s) => s.movie.averageRating >= 3.5)).toBe(true);
    expect(filtered).not.toEqual(unfiltered);
    await shot('filtered-good-films', true);

    // an impossible year range is refused in the form, with the reason, and nothing is sent
    const b2 = await renders();
    await page.fill('#year-from', '2001');
    await page.fill('#year-to', '1990');
    await page.waitForSelector('#filter-errors:not([hidden])');
    expect(await page.textContent('#filter-errors')).toContain('From year (2001) is after To year (1990)');
    expect(await renders()).toBe(b2);
  });

  it('the map draws at least 100 films; clicking one selects it and highlights its neighbours', async () => {
    await open();
    const proj = (await api<{ pcaProjection: MovieProjection[] }>(gw.origin, MAP_QUERY, { limit: 400 })).pcaProjection;
    expect(proj.length).toBeGreaterThanOrEqual(100);
    expect(Number(await page.getAttribute('#map', 'data-point-count'))).toBe(proj.length);
    // The film whose dot has the most room around it, so the click cannot land on another.
    const target = proj.reduce(
      (best, p) => {
        const room = Math.min(...proj.filter((q) => q !== p).map((q) => Math.hypot(q.x - p.x, q.y - p.y)));
        return room > best.room ? { p, room } : best;
      },
      { p: proj[0], room: -1 },
    ).p;
    const at = await page.evaluate(
      (id) =>
        (
          window as unknown as { cinemapExplorer: { mapPointPosition(id: number): { x: number; y: number } | null } }
        ).cinemapExplorer.mapPointPosition(id),
      target.movie.id,
    );
    expect(at).not.toBeNull();
    await page.mouse.move(at!.x, at!.y);
    await page.waitForTimeout(100);
    const before = await renders();
    await page.mouse.click(at!.x, at!.y);
    await waitForRender(before);
    const heading = await page.textContent('#results-heading');
    expect(heading).toContain(target.movie.title.replace(/ \(\d{4}\)$/, ''));
    const want = await api<{ similarMovies: SimilarMovie[] }>(gw.origin, SIMILAR_QUERY, { title: target.movie.title, k: 10, filter: null });
    expect(await listedIds()).toEqual(want.similarMovies.map((s) => s.movie.id));
    const onMap = new Set(proj.map((p) => p.movie.id));
    const expectedHighlighted = 1 + want.similarMovies.filter((s) => onMap.has(s.movie.id)).length;
    expect(Number(await page.getAttribute('#map', 'data-highlighted'))).toBe(expectedHighlighted);
    // hover shows the title in the tooltip (drawn on the canvas): screenshot with the pointer on the dot
    await page.mouse.move(at!.x, at!.y);
    await page.waitForTimeout(100);
    await page.locator('.map-panel').screenshot({ path: join(REPORTS, 'map-selected.png') });
  });

  it('an unknown title says so and offers clickable suggestions', async () => {
    await open();
    await page.fill('#search', 'Matrx');
    const before = await renders();
    await page.press('#search', 'Enter');
    await waitForRender(before);
    await page.waitForSelector('#results-error:not([hidden])');
    expect(await page.textContent('#results-error p')).toBe("No film called 'Matrx' — did you mean …");
    const suggestions = await page.$$eval('#results-error button', (b) => b.map((x) => x.textContent));
    expect(suggestions.length).toBeGreaterThan(0);
    expect(suggestions.length).toBeLessThanOrEqual(5);
    expect(suggestions).toContain('Matrix, The (1999)');
    await shot('unknown-title');
    const b2 = await renders();
    await page.click('#results-error button:text-is("Matrix, The (1999)")');
    await waitForRender(b2);
    expect(await page.isHidden('#results-error')).toBe(true);
    expect(await page.textContent('#results-heading')).toBe('Films like Matrix, The (1999)');
    expect((await listedIds()).length).toBe(10);
  });

  it('a mood: films near all of several picked films, as similarToMany answers', async () => {
    await open('?film=Blade%20Runner%20(1982)');
    await page.waitForSelector('#results-list > li');
    await page.click('#mood-add');
    await page.click('#results-list > li:first-child button:text-is("+ mood")');
    expect(await page.$$eval('#mood-list li', (l) => l.length)).toBe(2);
    const before = await renders();
    await page.click('#mood-run');
    await waitForRender(before);
    expect(await page.textContent('#results-heading')).toMatch(/^Films near all of: Blade Runner \(1982\) \+ /);
    const titles = await page.$$eval('#mood-list li', (l) => l.map((x) => x.firstChild?.textContent ?? ''));
    const want = await api<{ similarToMany: SimilarMovie[] }>(gw.origin, MOOD_QUERY, { titles, k: 10, filter: null });
    const ids = await listedIds();
    expect(ids).toEqual(want.similarToMany.map((s) => s.movie.id));
    await shot('mood', true);
  });

  it('"Based on" switches the similarity basis; the list is the API\'s answer in that basis and the URL keeps it', async () => {
    await open('?film=Godfather%2C%20The%20(1972)&basis=taste');
    await page.waitForSelector('#results-list > li');
    expect(await page.inputValue('#basis')).toBe('TASTE');
    const want = async (basis: string) =>
      (
        await api<{ similarMovies: SimilarMovie[] }>(gw.origin, SIMILAR_QUERY, {
          title: 'Godfather, The (1972)',
          k: 10,
          filter: null,
          basis,
        })
      ).similarMovies.map((s) => s.movie.id);
    const taste = await listedIds();
    expect(taste).toEqual(await want('TASTE'));
    const before = await renders();
    await page.selectOption('#basis', 'AUDIENCE');
    await waitForRender(before);
    const audience = await listedIds();
    expect(audience).toEqual(await want('AUDIENCE'));
    expect(audience).not.toEqual(taste);
    expect(new URL(page.url()).searchParams.get('basis')).toBe('audience');
    // back to the default: the URL drops the parameter
    const b2 = await renders();
    await page.selectOption('#basis', 'BLEND');
    await waitForRender(b2);
    expect(await listedIds()).toEqual(await want('BLEND'));
    expect(new URL(page.url()).searchParams.has('basis')).toBe(false);
  });

  it('is usable with a keyboard and a screen reader: every control is labelled', async () => {
    await open();
    const unlabelled = await page.$$eval('input, select, textarea, button', (els) =>
      els
        .filter((e) => {
          const el = e as HTMLInputElement;
          const named =
            (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent?.trim());
          return !named;
        })
        .map((e) => e.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);
    // Tab from the top reaches the skip link, then the search box.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the results');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('search');
    // Escape closes the suggestions
    await page.keyboard.type('godf');
    await page.waitForSelector('#search-options:not([hidden])');
    await page.keyboard.press('Escape');
    expect(await page.getAttribute('#search', 'aria-expanded')).toBe('false');
    // A phone-sized screen stacks the panels in reading order, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${gw.origin}/?film=Amelie%20(2001)`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.evaluate(() => document.getElementById('results')?.scrollIntoView());
    await shot('phone');
  });
});
