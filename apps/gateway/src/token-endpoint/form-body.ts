import type { IncomingMessage } from 'node:http';

/** The largest form body the token and revocation endpoints read (then 413). */
export const MAX_FORM_BYTES = 64 * 1024;
const FORM_TYPE = 'application/x-www-form-urlencoded';
/** How much of a refused body is read and dropped so the client sees the 413 rather than a reset. */
const DISCARD_LIMIT = 1024 * 1024;

/** `application/x-www-form-urlencoded`, optionally with parameters such as `; charset=UTF-8`. */
export function isFormContentType(ct: string | undefined): boolean {
  if (ct === undefined) return false;
  const semi = ct.indexOf(';');
  return (semi < 0 ? ct : ct.slice(0, semi)).trim().toLowerCase() === FORM_TYPE;
}

/**
 * Reads a form body of at most MAX_FORM_BYTES (declared or streamed) and calls exactly one of
 * `onBody` with its text or `onTooLarge`; a request that errors calls neither. Never logs: token
 * and revocation bodies carry client secrets.
 */
export function readFormBody(req: IncomingMessage, onBody: (form: string) => void, onTooLarge: () => void): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > MAX_FORM_BYTES) {
    onTooLarge();
    return discardRest(req, 0);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  req.on('data', (chunk: Buffer) => {
    if (done) return;
    size += chunk.length;
    if (size > MAX_FORM_BYTES) {
      done = true;
      onTooLarge();
      discardRest(req, size);
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (done) return;
    done = true;
    onBody(Buffer.concat(chunks).toString('utf8'));
  });
  req.on('error', () => {
    done = true;
  });
}

/**
 * After an early 413, closing at once would reset a client still sending its body, before it reads
 * the answer. Reading (and dropping) a bounded amount more lets it read the 413; past the bound,
 * the connection is cut.
 */
function discardRest(req: IncomingMessage & { discarded?: number }, alreadyRead: number): void {
  req.discarded = alreadyRead;
  req.removeAllListeners('data');
  req.on('data', onDiscard);
  req.resume();
}

function onDiscard(this: IncomingMessage & { discarded?: number }, chunk: Buffer): void {
  this.discarded = (this.discarded ?? 0) + chunk.length;
  if (this.discarded > DISCARD_LIMIT) this.socket.destroy();
}
