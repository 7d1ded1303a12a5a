/**
 * A strict, incremental HTTP/1.1 response parser for the lean upstream client (issue 18). It takes
 * exactly one framing per answer and refuses everything else: the client then closes the
 * connection and the request ends as a 502 (or a cut client connection once the status is out).
 *
 * Accepted: `HTTP/1.1` or `HTTP/1.0`, a 3-digit status 100-599 and an optional reason; header lines
 * `token ":" OWS value OWS` ending in CRLF, values of HTAB, SP, VCHAR and obs-text; the head at most
 * MAX_HEAD bytes. Body: none (HEAD, 1xx, 204, 304), one `Content-Length` of digits, `Transfer-Encoding:
 * chunked` exactly (hex sizes, extensions of visible characters, CRLF after each chunk, trailers
 * validated like headers and dropped), or neither: read until the upstream closes.
 *
 * Refused (`onInvalid`): bare LF or CR, NUL or other control characters, obs-fold (a line starting
 * with SP or HTAB), whitespace before the colon, names with non-token characters, an empty name,
 * a line without a colon, two Content-Length headers (even equal ones) or a list, a non-digit or
 * over-long Content-Length, any Transfer-Encoding but exactly `chunked`, two Transfer-Encoding
 * headers, Transfer-Encoding together with Content-Length, `101` (nothing asked to switch), a chunk
 * size that is not hex or longer than 13 digits, chunk data not followed by CRLF, a truncated body
 * (EOF before the declared end).
 *
 * Not reusable (`onComplete(false)`): HTTP/1.0, `Connection: close`, a close-delimited body, a
 * 204/304/HEAD answer that declared Transfer-Encoding, and any byte after the end of the answer.
 */

/** The head of one answer (status line + headers), at most (node's and undici's default too). */
export const MAX_HEAD = 16 * 1024;
/** A chunk-size line with its extensions, and the trailer section, at most. */
const MAX_CHUNK_LINE = 4096;
const MAX_TRAILERS = 16 * 1024;
/** 16^13 > 2^52: a longer hex size cannot be a real chunk (and would lose precision). */
const MAX_HEX_DIGITS = 13;

export interface ResponseEvents {
  /** The final status (>= 200) and the headers: flat [lower-case name, value, ...] in arrival order. */
  onHead(status: number, headers: string[]): void;
  onBody(chunk: Buffer): void;
  /**
   * The answer ended where its framing says; `reusable`: the connection may carry another request.
   * `last`: the body's final bytes when they came in the read that ended it (then not given to onBody,
   * so the consumer can write them and end in one go), else null.
   */
  onComplete(reusable: boolean, last: Buffer | null): void;
  /** The answer is not cleanly framed: the connection must be closed. */
  onInvalid(reason: string): void;
}

/** tchar (RFC 9110 §5.6.2) by char code. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;

const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const KEEP_ALIVE_TIMEOUT = /(?:^|[,;\s])timeout=(\d{1,6})(?:$|[,;\s])/i;

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkExt,
  ChunkSizeLf,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  Trailers,
  Eof,
  Done,
}

/** The framing a head declares, or the reason it is refused. */
interface Head {
  status: number;
  headers: string[];
  /** -1: none given */
  length: number;
  chunked: boolean;
  keepAlive: boolean;
  /** `Keep-Alive: timeout=N` (seconds), the upstream's idle limit; -1 when not given. */
  keepAliveTimeout: number;
}

/** True when the bytes of an incomplete head already break the CRLF and character rules. */
function badPartialHead(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) {
    const c = buf[i];
    if (c >= 0x20 ? c === 0x7f : c !== 0x09 && c !== 0x0d && c !== 0x0a) return true;
    if (c === 0x0a && (i === from || buf[i - 1] !== 0x0d)) return true;
    if (c === 0x0d && i + 1 < buf.length && buf[i + 1] !== 0x0a) return true;
  }
  return false;
}

/** Parses `text` (a head without its final CRLFCRLF, latin1) or returns why it is refused. */
export function parseHead(text: string): Head | string {
  const n = text.length;
  // Status line: HTTP/1.x SP 3DIGIT [SP reason]
  if (n < 12 || !text.startsWith('HTTP/1.')) return 'bad status line';
  const minor = text.charCodeAt(7);
  if ((minor !== 0x30 && minor !== 0x31) || text.charCodeAt(8) !== 0x20) return 'bad status line';
  const d0 = text.charCodeAt(9) - 0x30;
  const d1 = text.charCodeAt(10) - 0x30;
  const d2 = text.charCodeAt(11) - 0x30;
  if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return 'bad status code';
  const status = d0 * 100 + d1 * 10 + d2;
  let eol = text.indexOf('\r\n', 12);
  if (eol < 0) eol = n;
  if (eol > 12 && text.charCodeAt(12) !== 0x20) return 'bad status line';
  for (let i = 12; i < eol; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 ? c !== 0x09 : c === 0x7f) return 'control character in the status line';
  }
  const headers: string[] = [];
  let length = -1;
  let te = false;
  let chunked = false;
  let keepAlive = minor === 0x31;
  let keepAliveTimeout = -1;
  let pos = eol + 2;
  while (pos < n) {
    let end = text.indexOf('\r\n', pos);
    if (end < 0) end = n;
    const first = text.charCodeAt(pos);
    if (first === 0x20 || first === 0x09) return 'obs-fold';
    const colon = text.indexOf(':', pos);
    if (colon < 0 || colon >= end) return 'header line without a colon';
    if (colon === pos) return 'empty header name';
    for (let i = pos; i < colon; i++) {
      const c = text.charCodeAt(i);
      if (c > 127 || TCHAR[c] === 0) return 'bad header name';
    }
    let vs = colon + 1;
    let ve = end;
    for (let i = vs; i < ve; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 ? c !== 0x09 : c === 0x7f) return 'control character in a header value';
    }
    while (vs < ve && (text.charCodeAt(vs) === 0x20 || text.charCodeAt(vs) === 0x09)) vs++;
    while (ve > vs && (text.charCodeAt(ve - 1) === 0x20 || text.charCodeAt(ve - 1) === 0x09)) ve--;
    const name = text.slice(pos, colon).toLowerCase();
    const value = text.slice(vs, ve);
    if (name === 'content-length') {
      if (length !== -1) return 'two Content-Length headers';
      if (value.length === 0 || value.length > 15) return 'bad Content-Length';
      for (let i = 0; i < value.length; i++) {
        const c = value.charCodeAt(i);
        if (c < 0x30 || c > 0x39) return 'bad Content-Length';
      }
      length = Number(value);
    } else if (name === 'transfer-encoding') {
      if (te) return 'two Transfer-Encoding headers';
      te = true;
      if (value.toLowerCase() !== 'chunked') return 'Transfer-Encoding other than chunked';
      chunked = true;
    } else if (name === 'connection') {
      const v = value.toLowerCase();
      if (v !== 'keep-alive' && (v === 'close' || v.split(',').some((t) => t.trim() === 'close'))) keepAlive = false;
    } else if (name === 'keep-alive') {
      const m = KEEP_ALIVE_TIMEOUT.exec(value);
      if (m !== null) keepAliveTimeout = Number(m[1]);
    }
    headers.push(name, value);
    pos = end + 2;
  }
  if (te && length !== -1) return 'Transfer-Encoding with Content-Length';
  if (status === 101) return 'unrequested protocol switch';
  return { status, headers, length, chunked, keepAlive, keepAliveTimeout };
}

/**
 * One parser per connection, `reset` before each request. Bytes go in through `execute`, the
 * upstream's FIN through `finish`; events come out synchronously. After `onComplete` or
 * `onInvalid` the parser takes nothing more until the next `reset`.
 */
export class ResponseParser {
  private state = State.Done;
  private headRequest = false;
  /** Bytes of an incomplete head (or trailer line) carried over between chunks. */
  private pending: Buffer | null = null;
  private remaining = 0;
  private hexDigits = 0;
  private lineBytes = 0;
  private trailerBytes = 0;
  private trailerLine = '';
  private keepAlive = true;
  /** The last final answer's `Keep-Alive: timeout=N` in seconds, -1 when it had none. */
  keepAliveTimeout = -1;
  private startedBody = false;

  constructor(private readonly ev: ResponseEvents) {}

  /** A new request was sent: `head` when its method is HEAD (the answer has no body). */
  reset(head: boolean): void {
    this.state = State.Head;
    this.headRequest = head;
    this.pending = null;
    this.keepAlive = true;
    this.startedBody = false;
  }

  /** True once the final head was delivered (body bytes may follow). */
  get headDone(): boolean {
    return this.startedBody;
  }

  /** True while an answer is expected or under way. */
  get busy(): boolean {
    return this.state !== State.Done;
  }

  private invalid(reason: string): void {
    this.state = State.Done;
    this.pending = null;
    this.ev.onInvalid(reason);
  }

  private complete(rest: boolean, last: Buffer | null = null): void {
    this.state = State.Done;
    this.pending = null;
    // Bytes after the end of the answer: nothing was asked, so the connection is not clean.
    this.ev.onComplete(this.keepAlive && !rest, last);
  }

  /** Starts the body of the head just parsed; returns false when the answer is already complete. */
  private begin(h: Head): boolean {
    this.startedBody = true;
    this.keepAlive = h.keepAlive;
    this.keepAliveTimeout = h.keepAliveTimeout;
    this.ev.onHead(h.status, h.headers);
    if (this.state === State.Done) return false; // the consumer gave up inside onHead
    if (this.headRequest || h.status === 204 || h.status === 304) {
      // No body whatever the headers say; a declared chunked body on such an answer is a framing
      // the upstream got wrong: do not trust what follows on this connection.
      if (h.chunked || (h.status === 204 && h.length > 0)) this.keepAlive = false;
      return false;
    }
    if (h.chunked) {
      this.state = State.ChunkSize;
      this.hexDigits = 0;
      this.remaining = 0;
      this.lineBytes = 0;
    } else if (h.length >= 0) {
      this.state = State.Length;
      this.remaining = h.length;
      if (h.length === 0) return false;
    } else {
      this.state = State.Eof;
      this.keepAlive = false;
    }
    return true;
  }

  execute(chunk: Buffer): void {
    let buf = chunk;
    let i = 0;
    while (i < buf.length) {
      switch (this.state) {
        case State.Done:
          return;
        case State.Head: {
          if (this.pending !== null) {
            const carried = this.pending.length;
            buf = Buffer.concat([this.pending, buf.subarray(i)]);
            this.pending = null;
            // A terminator may straddle the two pieces: search from a little before the join.
            const end = buf.indexOf(CRLFCRLF, Math.max(0, carried - 3));
            if (!this.headAt(buf, 0, end)) return;
            if (end < 0) return;
            i = end + 4;
          } else {
            const end = buf.indexOf(CRLFCRLF, i);
            if (!this.headAt(buf, i, end)) return;
            if (end < 0) return;
            i = end + 4;
          }
          const h = parseHead(this.lastHead);
          if (typeof h === 'string') return this.invalid(h);
          if (h.status < 200) continue; // an interim answer: the final one follows
          if (!this.begin(h)) {
            if ((this.state as State) === State.Done) return; // gave up in onHead
            return this.complete(i < buf.length);
          }
          break;
        }
        case State.Length: {
          const n = Math.min(this.remaining, buf.length - i);
          this.remaining -= n;
          const piece = i === 0 && n === buf.length ? buf : buf.subarray(i, i + n);
          i += n;
          if (this.remaining === 0) return this.complete(i < buf.length, piece);
          this.ev.onBody(piece);
          break;
        }
        case State.ChunkSize: {
          const c = buf[i++];
          const v = HEX[c];
          if (v >= 0) {
            if (++this.hexDigits > MAX_HEX_DIGITS) return this.invalid('chunk size overflow');
            this.remaining = this.remaining * 16 + v;
          } else if (this.hexDigits === 0) return this.invalid('bad chunk size');
          else if (c === 0x3b /* ; */) this.state = State.ChunkExt;
          else if (c === 0x0d) this.state = State.ChunkSizeLf;
          else return this.invalid('bad chunk size');
          if (++this.lineBytes > MAX_CHUNK_LINE) return this.invalid('chunk size line too long');
          break;
        }
        case State.ChunkExt: {
          const c = buf[i++];
          if (c === 0x0d) this.state = State.ChunkSizeLf;
          else if (c < 0x20 ? c !== 0x09 : c === 0x7f) return this.invalid('control character in a chunk extension');
          if (++this.lineBytes > MAX_CHUNK_LINE) return this.invalid('chunk size line too long');
          break;
        }
        case State.ChunkSizeLf: {
          if (buf[i++] !== 0x0a) return this.invalid('bare CR after a chunk size');
          if (this.remaining === 0) {
            this.state = State.Trailers;
            this.trailerBytes = 0;
            this.trailerLine = '';
          } else this.state = State.ChunkData;
          break;
        }
        case State.ChunkData: {
          const n = Math.min(this.remaining, buf.length - i);
          this.remaining -= n;
          const piece = buf.subarray(i, i + n);
          i += n;
          if (this.remaining === 0) this.state = State.ChunkDataCr;
          this.ev.onBody(piece);
          break;
        }
        case State.ChunkDataCr:
          if (buf[i++] !== 0x0d) return this.invalid('chunk data not followed by CRLF');
          this.state = State.ChunkDataLf;
          break;
        case State.ChunkDataLf:
          if (buf[i++] !== 0x0a) return this.invalid('chunk data not followed by CRLF');
          this.state = State.ChunkSize;
          this.hexDigits = 0;
          this.lineBytes = 0;
          break;
        case State.Trailers: {
          // Line by line (rare, small): validated like header lines, then dropped.
          const c = buf[i++];
          if (++this.trailerBytes > MAX_TRAILERS) return this.invalid('trailers too long');
          if (this.trailerLine.endsWith('\r')) {
            if (c !== 0x0a) return this.invalid('bare CR in the trailers');
            const line = this.trailerLine.slice(0, -1);
            if (line.length === 0) return this.complete(i < buf.length);
            const h = parseHead('HTTP/1.1 200 \r\n' + line);
            if (typeof h === 'string') return this.invalid(`bad trailer: ${h}`);
            if (h.length !== -1 || h.chunked) return this.invalid('framing header in the trailers');
            this.trailerLine = '';
          } else if (c === 0x0a) return this.invalid('bare LF in the trailers');
          else this.trailerLine += String.fromCharCode(c);
          break;
        }
        case State.Eof: {
          const piece = i === 0 ? buf : buf.subarray(i);
          i = buf.length;
          this.ev.onBody(piece);
          break;
        }
      }
    }
  }

  private lastHead = '';

  /**
   * Head bytes from `start` with the terminator at `end` (-1: not yet). Keeps an incomplete head
   * for the next chunk; false when the head is refused or still incomplete.
   */
  private headAt(buf: Buffer, start: number, end: number): boolean {
    if (end < 0) {
      if (buf.length - start > MAX_HEAD) {
        this.invalid('response head too large');
        return false;
      }
      if (badPartialHead(buf, start)) {
        this.invalid('bad line ending or control character in the head');
        return false;
      }
      this.pending = start === 0 ? Buffer.from(buf) : Buffer.from(buf.subarray(start));
      return true;
    }
    if (end - start > MAX_HEAD) {
      this.invalid('response head too large');
      return false;
    }
    // Bare CR / LF or control characters anywhere in the head (the line scan below only sees CRLF pairs).
    for (let j = start; j < end; j++) {
      const c = buf[j];
      if (c < 0x20 && c !== 0x09 && !(c === 0x0d && buf[j + 1] === 0x0a) && !(c === 0x0a && buf[j - 1] === 0x0d)) {
        this.invalid('bad line ending or control character in the head');
        return false;
      }
    }
    this.lastHead = buf.toString('latin1', start, end);
    return true;
  }

  /** The connection is being dropped: take nothing more, report nothing more. */
  abort(): void {
    this.state = State.Done;
    this.pending = null;
  }

  /** The upstream closed its side: ends a close-delimited body, anything else unfinished is refused. */
  finish(): void {
    if (this.state === State.Done) return;
    if (this.state === State.Eof) {
      this.state = State.Done;
      this.ev.onComplete(false, null);
      return;
    }
    this.invalid(this.startedBody ? 'upstream closed mid-body' : 'upstream closed before answering');
  }
}
