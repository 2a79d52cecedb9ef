// Secrets in a --source URL (user:password@, ?token=…, a presigned URL's signature) must
// never leave the process except in the request itself: not on stdout or stderr, not in
// logs, not in datasets.source/params (readable by the analyst role), not in errors.
// redactUrl() is applied to the source once, where it enters; redactSecrets() is the
// net under every line the ingest prints, for URLs that arrive later (redirects,
// library messages).

/** Query parameter names that carry secrets (case-insensitive, anywhere in the name). */
const SECRET_PARAM = /(token|secret|passw|pwd|pass$|auth|credential|signature|sig$|session|jwt|key|code$)/i;
const MASK = '***';

/** "https://u:p@host/x.zip?token=abc&v=1" → "https://***@host/x.zip?token=***&v=1". Non-URLs are returned as they are. */
export function redactUrl(s: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return s;
  return redactSecrets(s);
}

/** Redacts userinfo and secret-looking query values of every URL inside free text. */
export function redactSecrets(text: string): string {
  return text.replace(
    /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'<>]*)([^\s"'<>]*)/gi,
    (_all, scheme: string, authority: string, rest: string) => {
      const at = authority.lastIndexOf('@');
      const host = at >= 0 ? `${MASK}@${authority.slice(at + 1)}` : authority;
      return scheme + host + redactQuery(rest);
    },
  );
}

function redactQuery(rest: string): string {
  const q = rest.indexOf('?');
  if (q < 0) return rest;
  const hash = rest.indexOf('#', q);
  const query = rest.slice(q + 1, hash < 0 ? undefined : hash);
  const tail = hash < 0 ? '' : rest.slice(hash);
  const parts = query.split('&').map((p) => {
    const eq = p.indexOf('=');
    if (eq < 0) return p;
    let name = p.slice(0, eq);
    try {
      name = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // a malformed escape: judge the name as written
    }
    if (!SECRET_PARAM.test(name)) return p;
    // Keep a closing bracket after the value: in prose the URL is often inside "( … )".
    const value = p.slice(eq + 1);
    const close = value.search(/[)\]]+$/);
    return `${p.slice(0, eq)}=${MASK}${close > 0 ? value.slice(close) : ''}`;
  });
  return `${rest.slice(0, q)}?${parts.join('&')}${tail}`;
}

/** True when the text still holds something redactSecrets would hide (tests, and a last check before storing). */
export function hasSecrets(text: string): boolean {
  return redactSecrets(text) !== text;
}
