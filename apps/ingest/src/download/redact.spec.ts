// Secrets in URLs: userinfo and secret-looking query values are masked wherever a URL
// appears in text; everything else (host, path, harmless parameters) stays readable.
import { hasSecrets, redactSecrets, redactUrl } from './redact';

describe('redactUrl / redactSecrets', () => {
  it.each([
    ['http://user:pw@host/x.zip', 'http://***@host/x.zip'],
    ['https://TOKEN123@github.example/x.zip', 'https://***@github.example/x.zip'],
    ['https://host/x.zip?token=abc&v=2', 'https://host/x.zip?token=***&v=2'],
    [
      'https://b.s3.example/x.zip?X-Amz-Credential=AK%2F1&X-Amz-Signature=ff00&X-Amz-Security-Token=zz&X-Amz-Expires=60',
      'https://b.s3.example/x.zip?X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Security-Token=***&X-Amz-Expires=60',
    ],
    ['https://acct.blob.example/c/x.zip?sv=2020&sig=abc%3D&se=2030', 'https://acct.blob.example/c/x.zip?sv=2020&sig=***&se=2030'],
    [
      'https://h/x.zip?api_key=1&apikey=2&password=3&access_token=4&auth=5#frag',
      'https://h/x.zip?api_key=***&apikey=***&password=***&access_token=***&auth=***#frag',
    ],
    ['https://files.grouplens.org/datasets/movielens/ml-100k.zip', 'https://files.grouplens.org/datasets/movielens/ml-100k.zip'],
    ['/home/me/ml-100k', '/home/me/ml-100k'],
    ['ml-latest-small', 'ml-latest-small'],
  ])('%s → %s', (input, want) => {
    expect(redactUrl(input)).toBe(want);
    expect(hasSecrets(input)).toBe(input !== want);
  });

  it('finds every URL inside free text (errors, redirects), and leaves the rest alone', () => {
    const msg = 'Could not download http://u:s3cret@10.0.0.1:8080/a.zip: ECONNREFUSED (redirected from https://x.example/b?token=t0k)';
    const out = redactSecrets(msg);
    expect(out).toBe('Could not download http://***@10.0.0.1:8080/a.zip: ECONNREFUSED (redirected from https://x.example/b?token=***)');
    expect(out).not.toMatch(/s3cret|t0k/);
    expect(redactSecrets('movies.csv:12: title "user@example.com" is fine')).toBe('movies.csv:12: title "user@example.com" is fine');
  });
});
