/**
 * Owner: gateway. A real HTTP upstream for end-to-end tests. Every request is answered with JSON
 * `{method, url, headers, rawHeaders, bodyLength, bodySha256}`; the body is hashed as it streams,
 * so a 50 MB upload costs flat memory. Special paths (anywhere in the path) trigger failures:
 *   /__delay/<ms>   answer after <ms> milliseconds (for upstream timeouts)
 *   /__reset        destroy the socket without answering
 *   /__malformed    answer bytes that are not HTTP
 *   /__cut          send headers and part of the body, then destroy the socket
 *   /__hop          answer with hop-by-hop headers the gateway must drop
 *   /__status/<n>   answer with status n
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface EchoReply {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  bodyLength: number;
  bodySha256: string;
}

export interface EchoUpstream {
  url: string;
  port: number;
  /** Requests the upstream has seen (including failing ones). */
  readonly count: number;
  /** Requests whose connection closed before the answer was complete (the caller gave up). */
  readonly abandoned: number;
  close(): Promise<void>;
}

function answer(req: IncomingMessage, res: ServerResponse, reply: EchoReply): void {
  const url = req.url ?? '/';
  const status = /\/__status\/(\d{3})/.exec(url);
  const body = JSON.stringify(reply);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  if (url.includes('/__hop')) {
    Object.assign(headers, { connection: 'x-hop-listed, keep-alive', 'x-hop-listed': 'drop me', 'keep-alive': 'timeout=5', 'proxy-authenticate': 'Basic', 'x-end-to-end': 'keep me' });
  }
  if (url.includes('/__cut')) {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '1000000' });
    res.write(Buffer.alloc(1000));
    setTimeout(() => res.socket?.destroy(), 50);
    return;
  }
  res.writeHead(status ? Number(status[1]) : 200, headers);
  res.end(body);
}

/** Starts the echo upstream on 127.0.0.1 and an ephemeral port. */
export async function startEchoUpstream(): Promise<EchoUpstream> {
  let count = 0;
  let abandoned = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    count++;
    res.on('close', () => {
      if (!res.writableFinished) abandoned++;
    });
    const url = req.url ?? '/';
    if (url.includes('/__reset')) {
      req.socket.destroy();
      return;
    }
    if (url.includes('/__malformed')) {
      req.socket.end('this is not HTTP at all\r\n\r\n');
      return;
    }
    const hash = createHash('sha256');
    let length = 0;
    req.on('data', (c: Buffer) => {
      length += c.length;
      hash.update(c);
    });
    req.on('end', () => {
      const reply: EchoReply = { method: req.method ?? '', url, headers: req.headers, rawHeaders: req.rawHeaders, bodyLength: length, bodySha256: hash.digest('hex') };
      const delay = /\/__delay\/(\d+)/.exec(url);
      if (delay) {
        const t = setTimeout(() => answer(req, res, reply), Number(delay[1]));
        res.on('close', () => clearTimeout(t));
      } else answer(req, res, reply);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get count() {
      return count;
    },
    get abandoned() {
      return abandoned;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
