// The explorer in real headless Chromium against a real gateway on the seeded
// synthetic store: given the page, when a person searches, picks, filters, clicks the
// map or mistypes, then the page shows what the API answers. Screenshots of the main
// views go to reports/explorer/*.png (look at them after a change to the page).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { APPRECIATED_QUERY, GENRES_QUERY, MAP_QUERY, MOOD_QUERY, RECOMMEND_QUERY, SIMILAR_QUERY } from '../src/api/queries';
import type { MovieProjection, SimilarMovie } from '../src/api/types';
import { REPORTS, api, apiBody, browserProblem, launchBrowser, skipBrowser, startSeededGateway, type RunningGateway } from './harness';

const d = skipBrowser ? describe.skip : describe;
interface AppreciationWant {
  nodes: { id: number }[];
  shapedBy: { summary: string };
}

/** The filter a visitor starts with: "only good films" is on by default. */
const GOOD = { minAverageRating: 3.5 };
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
    // Recorded, not asserted (timings vary by machine): the issue's "< 1 s on localhost" is read
    // from here. readyMs: navigation start until the map, lists and model card are all drawn;
    // firstVisit is the gateway's first request ever (cold server and browser).
    writeFileSync(
      join(REPORTS, 'load-timing.json'),
      `${JSON.stringify({ firstVisit, reload, newVisitor, measuredAt: new Date().toISOString() }, null, 2)}\n`,
    );
    expect(Number(await page.getAttribute('#map', 'data-point-count'))).toBeGreaterThanOrEqual(100);
    expect(await page.$$eval('#most-list li', (l) => l.length)).toBeGreaterThan(0);
    expect(await page.$$eval('#least-list li', (l) => l.length)).toBeGreaterThan(0);
    // The lists are the API's pages, and one line says what shaped them.
    const want = await api<{ most: AppreciationWant; least: AppreciationWant }>(gw.origin, APPRECIATED_QUERY, { first: 8, filter: GOOD });
    const ids = (sel: string) => page.$$eval(`${sel} li`, (l) => l.map((x) => Number((x as HTMLElement).dataset.movieId)));
    expect(await ids('#most-list')).toEqual(want.most.nodes.map((m) => m.id));
    expect(await ids('#least-list')).toEqual(want.least.nodes.map((m) => m.id));
    expect(await page.textContent('#appreciated-shaped')).toContain(want.most.shapedBy.summary);
    // Each genre says how many of its films cinemap can answer about.
    const genres = (await api<{ genres: { name: string; inModel: number }[] }>(gw.origin, GENRES_QUERY)).genres;
    const drama = genres.find((g) => g.name === 'Drama')!;
    expect(await page.textContent('#genre-include label:has(input[value="Drama"])')).toBe(
      `Drama (${drama.inModel.toLocaleString('en-US')})`,
    );
    // Fans get one line; the internals wait behind "Model details".
    expect(await page.textContent('#model-line')).toMatch(/^Learned from .+, [A-Z][a-z]+ \d{4}$/);
    expect(await page.getAttribute('#model-details', 'open')).toBeNull();
    await page.click('#model-details > summary');
    await page.waitForFunction(() => (document.getElementById('loss-chart') as HTMLCanvasElement).clientHeight > 100);
    const facts = await page.$$eval('#model-facts dt', (dts) => dts.map((dt) => dt.textContent));
    expect(facts).toEqual(expect.arrayContaining(['Trained with', 'Typical error (RMSE, stars)']));
    expect(facts.filter((f) => /engine|backend/i.test(f ?? ''))).toEqual([]);
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
    expect(options).toContain('The Matrix (1999)');
    await shot('search-suggestions');
    const before = await renders();
    for (let i = 0; i <= options.indexOf('The Matrix (1999)'); i++) await page.keyboard.press('ArrowDown');
    const active = await page.getAttribute('#search', 'aria-activedescendant');
    expect(await page.getAttribute(`#${active}`, 'aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await waitForRender(before);
    expect(await page.textContent('#results-heading')).toBe('Films like The Matrix (1999)');
    const want = await api<{ similarMovies: SimilarMovie[] }>(gw.origin, SIMILAR_QUERY, {
      title: 'Matrix, The (1999)',
      k: 10,
      filter: GOOD,
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

  it('only good films by default (all at or above 3.5); lifting it changes the list to the unfiltered answer', async () => {
    await open('?film=Godfather%2C%20The%20(1972)');
    await page.waitForSelector('#results-list > li');
    expect(await page.isChecked('#only-good')).toBe(true);
    const good = await listedIds();
    const wantGood = await api<{ similarMovies: SimilarMovie[] }>(gw.origin, SIMILAR_QUERY, {
      title: 'Godfather, The (1972)',
      k: 10,
      filter: GOOD,
    });
    expect(good).toEqual(wantGood.similarMovies.map((s) => s.movie.id));
    expect(wantGood.similarMovies.every((s) => s.movie.averageRating >= 3.5)).toBe(true);
    expect(await page.textContent('#results-status')).toContain('Filters: only good films');
    const before = await renders();
    await page.uncheck('#only-good');
    await waitForRender(before);
    const all = await listedIds();
    const wantAll = await api<{ similarMovies: SimilarMovie[] }>(gw.origin, SIMILAR_QUERY, {
      title: 'Godfather, The (1972)',
      k: 10,
      filter: null,
    });
    expect(all).toEqual(wantAll.similarMovies.map((s) => s.movie.id));
    expect(all).not.toEqual(good);
    expect(new URL(page.url()).searchParams.get('good')).toBe('0');
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
    expect(heading).toBe(`Films like ${target.movie.displayTitle}${target.movie.year ? ` (${target.movie.year})` : ''}`);
    const want = await api<{ similarMovies: SimilarMovie[] }>(gw.origin, SIMILAR_QUERY, { title: target.movie.title, k: 10, filter: GOOD });
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
    expect(suggestions).toContain('The Matrix (1999)');
    await shot('unknown-title');
    const b2 = await renders();
    await page.click('#results-error button:text-is("The Matrix (1999)")');
    await waitForRender(b2);
    expect(await page.isHidden('#results-error')).toBe(true);
    expect(await page.textContent('#results-heading')).toBe('Films like The Matrix (1999)');
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
    const want = await api<{ similarToMany: SimilarMovie[] }>(gw.origin, MOOD_QUERY, { titles, k: 10, filter: GOOD });
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
          filter: GOOD, // "only good films" is on by default
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

  it('on a phone (390×844, touch), choosing a film brings its results into view, filters folded away', async () => {
    // A touch phone: no hover, so the page speaks of taps.
    await page.close();
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    page = await phone.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await open();
    expect(await page.isVisible('#map-help .touch-help')).toBe(true);
    expect(await page.isVisible('#map-help .pointer-help')).toBe(false);
    expect(await page.getAttribute('#filters-drawer', 'open')).toBeNull();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.fill('#search', 'matrix');
    await page.waitForSelector('#search-options:not([hidden]) [role="option"]');
    const before = await renders();
    await page.tap('#search-options [role="option"]:has-text("The Matrix (1999)")');
    await waitForRender(before);
    const seen = await page.evaluate(() => {
      const r = document.getElementById('results')!.getBoundingClientRect();
      const first = document.querySelector('#results-list > li')!.getBoundingClientRect();
      return { top: r.top, firstBottom: first.bottom, active: document.activeElement?.id, h: window.innerHeight };
    });
    expect(seen.top).toBeGreaterThan(-1); // scrolled to its top (sub-pixel)
    expect(seen.firstBottom).toBeLessThanOrEqual(seen.h);
    expect(seen.active).toBe('results');
    await shot('phone-results');
    // The filters are one tap away, and the chips say what applies without opening them.
    expect(await page.$$eval('#filter-chips li', (l) => l.map((x) => x.getAttribute('data-chip')))).toEqual(['good']);
    await page.tap('#filters-drawer > summary');
    expect(await page.getAttribute('#filters-drawer', 'open')).not.toBeNull();
    // The map fills the phone's width with a usable height, and its help speaks of taps where there is no hover.
    const box = await page.$eval('#map-box', (b) => b.getBoundingClientRect().toJSON() as DOMRect);
    expect(box.width).toBeGreaterThanOrEqual(330);
    expect(box.height).toBeGreaterThanOrEqual(380);
    await page.locator('.map-panel').screenshot({ path: join(REPORTS, 'phone-map.png') });
    await page.close();
    await phone.close();
  });

  it('filters, k, basis and the mood live in the URL: a reload shows the same view, and chips remove filters', async () => {
    await open('?film=Godfather%2C%20The%20(1972)');
    await page.waitForSelector('#results-list > li');
    let before = await renders();
    await page.click('#genre-include-box > summary');
    await page.check('#genre-include input[value="Drama"]');
    await page.fill('#year-from', '1950');
    await page.fill('#k', '7');
    await waitForRender(before);
    await page.waitForFunction(
      () => new URL(location.href).searchParams.get('from') === '1950' && new URL(location.href).searchParams.get('k') === '7',
    );
    await page.click('#mood-add');
    const url = new URL(page.url());
    expect(url.searchParams.getAll('genre')).toEqual(['Drama']);
    expect(url.searchParams.get('film')).toBe('Godfather, The (1972)');
    expect(url.searchParams.getAll('mood')).toEqual(['Godfather, The (1972)']);
    const shown = await listedIds();
    const want = await api<{ similarMovies: SimilarMovie[] }>(gw.origin, SIMILAR_QUERY, {
      title: 'Godfather, The (1972)',
      k: 7,
      filter: { genres: ['Drama'], yearFrom: 1950, minAverageRating: 3.5 },
    });
    expect(shown).toEqual(want.similarMovies.map((s) => s.movie.id));
    const chips = await page.$$eval('#filter-chips li', (l) => l.map((x) => x.getAttribute('data-chip')));
    expect(chips).toEqual(['genre:Drama', 'years', 'good']);
    // A shared link (with a basis from issue 13's select) opens the same view.
    await open(`${url.search}&basis=taste`);
    await page.waitForSelector('#results-list > li');
    const inTaste = await api<{ similarMovies: SimilarMovie[] }>(gw.origin, SIMILAR_QUERY, {
      title: 'Godfather, The (1972)',
      k: 7,
      filter: { genres: ['Drama'], yearFrom: 1950, minAverageRating: 3.5 },
      basis: 'TASTE',
    });
    expect(await listedIds()).toEqual(inTaste.similarMovies.map((s) => s.movie.id));
    expect(await page.inputValue('#basis')).toBe('TASTE');
    expect(await page.isChecked('#genre-include input[value="Drama"]')).toBe(true);
    expect(await page.inputValue('#year-from')).toBe('1950');
    expect(await page.inputValue('#k')).toBe('7');
    expect(await page.$$eval('#mood-list li', (l) => l.length)).toBe(1);
    expect(new URL(page.url()).searchParams.get('basis')).toBe('taste');
    await shot('url-restored', true);
    // Removing a chip lifts that filter, in the form, the list and the URL.
    before = await renders();
    await page.click('#filter-chips li[data-chip="genre:Drama"] button');
    await waitForRender(before);
    expect(await page.isChecked('#genre-include input[value="Drama"]')).toBe(false);
    expect(new URL(page.url()).searchParams.getAll('genre')).toEqual([]);
    expect(await page.$$eval('#filter-chips li', (l) => l.map((x) => x.getAttribute('data-chip')))).toEqual(['years', 'good']);
  });

  it('keyboard only: from the top of the page to a result in at most 5 Tabs', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await open();
    let tabs = 0;
    const tab = async () => {
      tabs++;
      await page.keyboard.press('Tab');
    };
    await tab();
    await tab();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('search');
    await page.keyboard.type('matrix');
    await page.waitForSelector('#search-options:not([hidden]) [role="option"]');
    const options = await page.$$eval('#search-options [role="option"]', (o) => o.map((x) => x.firstChild?.textContent));
    const before = await renders();
    for (let i = 0; i <= options.indexOf('The Matrix (1999)'); i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitForRender(before);
    // Focus went to the results: the next Tab is the first film.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('results');
    await tab();
    const focused = await page.evaluate(() => ({
      text: document.activeElement?.textContent,
      inFirst: document.querySelector('#results-list > li')?.contains(document.activeElement) ?? false,
    }));
    expect(focused.inFirst).toBe(true);
    expect(tabs).toBeLessThanOrEqual(5);
    // Enter on it chooses that film.
    const b2 = await renders();
    await page.keyboard.press('Enter');
    await waitForRender(b2);
    expect(await page.textContent('#results-heading')).toBe(`Films like ${focused.text}`);
  });

  it('the map takes the keyboard: arrows move between films (announced), Enter chooses, + zooms; filtered-out films are dimmed', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await open('?minRatings=0&minAvg=4');
    expect(Number(await page.getAttribute('#map', 'data-left-out'))).toBeGreaterThan(0);
    await page.focus('#map-box');
    const first = await page.textContent('#map-cursor');
    expect(first).toMatch(/ — .+\. Enter chooses it\.$/);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowUp');
    const moved = (await page.textContent('#map-cursor'))!;
    expect(moved).not.toBe('');
    await page.keyboard.press('+');
    expect(await page.getAttribute('#map', 'data-zoomed')).toBe('true');
    await page.locator('.map-panel').screenshot({ path: join(REPORTS, 'map-keyboard.png') });
    const before = await renders();
    await page.keyboard.press('Enter');
    await waitForRender(before);
    expect(await page.textContent('#results-heading')).toBe(`Films like ${moved.split(' — ')[0]}`);
    await page.click('#map-reset');
    expect(await page.getAttribute('#map', 'data-zoomed')).toBe('false');
  });

  it('screenshots for the docs: desktop 1280×900 and phone 390×844', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await open('?film=Matrix%2C%20The%20(1999)&genre=Sci-Fi');
    await page.waitForSelector('#results-list > li');
    await shot('docs-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await open('?film=Matrix%2C%20The%20(1999)');
    await page.waitForSelector('#results-list > li');
    await shot('docs-phone');
  });

  it("never offers a film it cannot answer for; typed anyway, the real reason in a fan's words, no codes or run numbers", async () => {
    await open();
    // The catalogue has it (the API finds it without inModel), the model does not.
    const all = await api<{ searchMovies: { title: string; inModel: boolean }[] }>(
      gw.origin,
      'query($q: String!) { searchMovies(query: $q) { title inModel } }',
      { q: 'unloved sequel' },
    );
    expect(all.searchMovies).toEqual(expect.arrayContaining([{ title: 'Unloved Sequel, The (2004)', inModel: false }]));
    await page.fill('#search', 'unloved sequel');
    await page.waitForTimeout(600); // past the debounce and the answer
    const offered = await page.$$eval('#search-options [role="option"]', (o) => o.map((x) => x.firstChild?.textContent ?? ''));
    expect(offered.filter((t) => /Unloved/.test(t))).toEqual([]);
    let before = await renders();
    await page.press('#search', 'Enter');
    await waitForRender(before);
    const shown = `${await page.textContent('#results-heading')} ${await page.textContent('#results-error')}`;
    expect(shown).toContain('No recommendations for this film yet');
    expect(shown).toContain('films people rate well');
    expect(shown).not.toMatch(/run \d|min-avg-rating|MOVIE_NOT_IN_MODEL|Something went wrong/);
    // Mistyped, it is not suggested either (the server's suggestions hold it; the page keeps only films in the model).
    const typo = await apiBody(gw.origin, '{ movie(title: "Unloved Sequl") { id } }');
    expect(typo.errors?.[0]?.extensions?.suggestions).toContain('Unloved Sequel, The (2004)');
    before = await renders();
    await page.fill('#search', 'Unloved Sequl');
    await page.press('#search', 'Enter');
    await waitForRender(before);
    const offeredNow = await page.$$eval('#results-error button', (b) => b.map((x) => x.textContent ?? ''));
    expect(offeredNow.filter((t) => /Unloved/.test(t))).toEqual([]);
    // The network gone: the same, in words.
    await page.route('**/graphql', (route) => route.abort('internetdisconnected'));
    before = await renders();
    await page.fill('#search', 'Heat');
    await page.press('#search', 'Enter');
    await waitForRender(before);
    expect(await page.textContent('#results-heading')).toBe('cinemap cannot be reached');
    expect(await page.textContent('#results-error')).toBe('Check your connection, then try again.');
    await page.unroute('**/graphql');
  });

  it('a visitor rates three films and gets recommendations; the ratings live in the URL', async () => {
    await open('?film=Blade%20Runner%20(1982)');
    await page.waitForSelector('#results-list > li');
    const rate = async (stars: string) => {
      await page.selectOption('#my-stars', stars);
      await page.click('#rate-add');
    };
    await rate('5');
    // The second film: the first neighbour, chosen from the list.
    let before = await renders();
    await page.click('#results-list > li:first-child .title-line button');
    await waitForRender(before);
    await rate('4.5');
    // The third: searched and picked, and disliked.
    await page.fill('#search', 'godfather');
    await page.waitForSelector('#search-options:not([hidden]) [role="option"]');
    before = await renders();
    await page.click('#search-options [role="option"]:has-text("The Godfather (1972)")');
    await waitForRender(before);
    await rate('1');
    const rated = await page.$$eval('#ratings-list li', (l) =>
      l.map((x) => [Number((x as HTMLElement).dataset.movieId), Number((x as HTMLElement).dataset.rating)]),
    );
    expect(rated.map(([, r]) => r).sort()).toEqual([1, 4.5, 5]);
    before = await renders();
    await page.click('#ratings-run');
    await waitForRender(before);
    expect(await page.textContent('#results-heading')).toBe('Recommended for you');
    const shown = await listedIds();
    // The API's answer for the same three ratings: the visitor folded into the model, the rated films left out.
    const want = await api<{ recommendFor: { predictedRating: number; movie: { id: number } }[] }>(gw.origin, RECOMMEND_QUERY, {
      ratings: rated.map(([id, rating]) => ({ id, rating })),
      k: 10,
      filter: GOOD,
    });
    expect(want.recommendFor).toHaveLength(10);
    expect(shown).toEqual(want.recommendFor.map((r) => r.movie.id));
    const first = await page.$eval('#results-list > li', (li) => li.textContent ?? '');
    expect(first).toContain(`you would give it about ${want.recommendFor[0].predictedRating.toFixed(1)} of 5`);
    const ratedIds = new Set(rated.map(([id]) => id));
    expect(shown.some((id) => ratedIds.has(id))).toBe(false);
    const url = new URL(page.url());
    expect(url.searchParams.getAll('rated')).toHaveLength(3);
    expect(url.searchParams.get('show')).toBe('ratings');
    await shot('ratings', true);
    // A reload shows the same recommendations.
    await open(url.search);
    await page.waitForSelector('#results-list > li');
    expect(await page.textContent('#results-heading')).toBe('Recommended for you');
    expect(await listedIds()).toEqual(shown);
  });
});
