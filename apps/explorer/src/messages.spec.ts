// Given an error code from the API, when the page tells a film fan, then the words are
// a fan's: no codes, run numbers, thresholds or commands.
import { fanMessage, panelFailed } from './messages';

const CODES = [
  'MOVIE_NOT_IN_MODEL',
  'NO_ACTIVE_MODEL',
  'RATE_LIMITED',
  'NETWORK',
  'BAD_USER_INPUT',
  'DATABASE_TIMEOUT',
  'DATABASE_UNAVAILABLE',
  'HTTP_500',
  'WHATEVER',
];
const JARGON = /run \d|#\d|[A-Z_]{6,}|npm|model run|embedding|bias|curation|GraphQL|HTTP/;

describe('fan messages', () => {
  it.each(CODES)('%s is said without jargon', (code) => {
    const m = fanMessage(code, 'Matrix Revolutions, The (2003)', 'MIN_AVG_RATING');
    expect(`${m.heading} ${m.text}`).not.toMatch(JARGON);
    expect(m.text.length).toBeGreaterThan(10);
    expect(panelFailed('The map', code)).not.toMatch(JARGON);
  });

  it('names the film when the model cannot answer for it, with the real reason when the server gives it', () => {
    expect(fanMessage('MOVIE_NOT_IN_MODEL', 'Heat (1995)').text).toContain('“Heat (1995)”');
    expect(fanMessage('MOVIE_NOT_IN_MODEL', 'X', 'MIN_MOVIE_RATINGS').text).toMatch(/^Not enough people have rated/);
    const lowRated = fanMessage('MOVIE_NOT_IN_MODEL', 'Matrix Revolutions, The (2003)', 'MIN_AVG_RATING').text;
    expect(lowRated).toMatch(/films people rate well/);
    expect(lowRated).not.toMatch(/Not enough people/);
  });

  it('the jargon check itself catches the old wording', () => {
    expect('Movie "X" is in the catalogue but not in the active model (run 3): it had too few ratings').toMatch(JARGON);
    expect('Something went wrong: DATABASE_TIMEOUT').toMatch(JARGON);
  });
});
