/**
 * Serves the built web console (apps/console -> dist/console) at /console/ (docs/console.md). The files hold
 * no data (every datum comes from /v1 with the admin token), so they are public; each answer carries
 * a strict CSP. Only names of the build's own shape are looked up, inside the console directory.
 */
import type { NextFunction, Request, Response } from 'express';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export const CONSOLE_PREFIX = '/console';

/** No inline script or style, nothing from another origin, never framed. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** A relative file name as the console build writes them: plain segments, no dot segments, no dotfiles. */
const FILE_RE = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** dist/console, beside dist/apps (this file runs as dist/apps/admin-api/src/console/console-static.js). */
export const DEFAULT_CONSOLE_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'console');

function securityHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendError(res: Response, code: number, msg: string): void {
  res.status(code).setHeader('Cache-Control', 'no-store');
  res.json({ code, msg });
}

async function readFile(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch {
    return null;
  }
}

/**
 * Express middleware: `/console` -> 301 `/console/`; `/console/<file>` -> that file of the build;
 * any other path under /console/ -> index.html (client-side routing), except under assets/ (404,
 * so a missing script is never answered with HTML). Everything else passes to the next handler.
 */
export function consoleStatic(dir: string = DEFAULT_CONSOLE_DIR) {
  return async function serveConsole(req: Request, res: Response, next: NextFunction): Promise<void> {
    // originalUrl: a router mount point may have cut req.url.
    const url = req.originalUrl ?? req.url;
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    if (pathname !== CONSOLE_PREFIX && !pathname.startsWith(CONSOLE_PREFIX + '/')) return next();
    securityHeaders(res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendError(res, 405, 'the console is read with GET');
    }
    if (pathname === CONSOLE_PREFIX) {
      res.redirect(301, CONSOLE_PREFIX + '/');
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(pathname.slice(CONSOLE_PREFIX.length + 1));
    } catch {
      return sendError(res, 400, 'malformed path');
    }
    const ext = path.extname(rel);
    const isFile = rel !== '' && rel !== 'index.html' && FILE_RE.test(rel) && !rel.split('/').includes('..') && TYPES[ext] !== undefined;
    let body = isFile ? await readFile(path.join(dir, rel)) : null;
    let type = isFile ? TYPES[ext] : TYPES['.html'];
    if (body) {
      res.setHeader('Cache-Control', rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    } else {
      if (rel.startsWith('assets/')) return sendError(res, 404, 'no such console file');
      body = await readFile(path.join(dir, 'index.html'));
      type = TYPES['.html'];
      if (!body) return sendError(res, 503, 'the web console is not built: run `npm run build`');
      res.setHeader('Cache-Control', 'no-cache');
    }
    res.status(200).setHeader('Content-Type', type);
    res.setHeader('Content-Length', String(body.length));
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
