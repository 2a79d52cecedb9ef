// Serves the explorer build (dist/apps/explorer) at /: hashed assets are immutable
// for a year, index.html is revalidated every time (so a deploy shows at once),
// unknown paths that want HTML get index.html (client-side routes).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};
// Vite names built assets name-<hash>.ext (8+ chars of base64url).
const HASHED = /[-.][A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

/** `path` is the request's path already percent-decoded by the server (decodeUrlPath). */
export function staticHandler(dir: string): ((req: IncomingMessage, res: ServerResponse, path: string) => boolean) | null {
  const root = resolve(dir);
  if (!existsSync(join(root, 'index.html'))) return null;
  return (req, res, path) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) return false;
    let isIndex = false;
    if (!existsSync(file) || statSync(file).isDirectory()) {
      const wantsHtml = (req.headers.accept ?? '').includes('text/html') || path === '/' || path.endsWith('/');
      if (!wantsHtml) return false;
      file = join(root, 'index.html');
      isIndex = true;
    }
    isIndex ||= file.endsWith(`${sep}index.html`);
    res.statusCode = 200;
    res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Content-Length', statSync(file).size);
    res.setHeader(
      'Cache-Control',
      isIndex ? 'no-cache' : HASHED.test(file) ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return true;
  };
}
