import { randomUUID } from 'node:crypto';

/** A caller's X-Request-Id is kept when it is 1-128 characters of A-Z a-z 0-9 . _ -; else one is generated. */
const SANE_ID = /^[A-Za-z0-9._-]{1,128}$/;

type Req = { headers: Record<string, string | string[] | undefined>; requestId?: string };
type Res = { setHeader(name: string, value: string): unknown };

/**
 * Express middleware, first in the chain: every admin response carries `X-Request-Id`, and the
 * access log line and the audit row of the request carry the same id (`req.requestId`).
 */
export function requestId(req: Req, res: Res, next: () => void): void {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
  req.requestId = id;
  res.setHeader('X-Request-Id', id);
  next();
}

export function requestIdOf(req: unknown): string | undefined {
  return (req as Req).requestId;
}
