import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A refused request's body is not read (issue 11): without this, node drains whatever the client
 * declared (a 401 for `Content-Length: 209715200` came after 200 MiB were read) and answers
 * `Expect: 100-continue` before the gateway has decided anything.
 *
 * How it works:
 * - ProxyServer calls `gateBody` for every request before the handler. A request that declares a
 *   body over DRAIN_LIMIT, a body of unknown length (chunked), or `Expect: 100-continue` is
 *   *gated*: its response is marked not-keep-alive (`Connection: close`), and no `100 Continue`
 *   is sent (ProxyServer listens to `checkContinue`, so node does not send it by itself).
 * - The code that is about to consume the body calls `acceptBody(res)`: the forwarder does it
 *   itself; the token and revocation endpoints do it before reading their form. That restores
 *   keep-alive and sends `100 Continue` when the client asked for it.
 * - Anything else the gateway answers on a gated request (every refusal, whoever wrote it) goes out
 *   with `Connection: close`; the connection is then closed after at most LINGER_BYTES more of the
 *   body are read and dropped (so a client still sending sees the answer instead of a TCP reset,
 *   as nginx's lingering close does), or when the client closes its side, or after LINGER_MS.
 * A request with a small declared body and no `Expect` is not gated: node reads the rest so the
 * connection stays reusable, as before (nothing allocated on that common path).
 */

/** Largest declared body a refusal still lets node drain to keep the connection. */
export const DRAIN_LIMIT = 64 * 1024;
/** After a refusal on a gated request: how much more of the body is read (and dropped) before the cut. */
export const LINGER_BYTES = 1024 * 1024;
/** ...and for how long at most. */
export const LINGER_MS = 2_000;

const kGate = Symbol('bodyGate');

interface Gate {
  /** Keep-alive as node decided it from the request, restored by acceptBody. */
  keepAlive: boolean;
  expectContinue: boolean;
  accepted: boolean;
}

type GatedResponse = ServerResponse & { [kGate]?: Gate };

/** ProxyServer, before the handler: gates a request whose body must not be drained on a refusal. */
export function gateBody(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void {
  if (!expectContinue) {
    const declared = req.headers['content-length'];
    if (declared === undefined ? req.headers['transfer-encoding'] === undefined : Number(declared) <= DRAIN_LIMIT) return;
  }
  (res as GatedResponse)[kGate] = { keepAlive: res.shouldKeepAlive, expectContinue, accepted: false };
  res.shouldKeepAlive = false;
  res.once('finish', onGatedFinish);
}

/**
 * Call right before the request body is consumed (forwarded, or read by an endpoint). Sends
 * `100 Continue` if the client waits for it and restores keep-alive. `maxBody`: the caller refuses
 * bodies declared over it (413) itself, so no `100 Continue` is sent for those. A no-op on an
 * ungated request.
 */
export function acceptBody(res: ServerResponse, maxBody = Infinity): void {
  const gate = (res as GatedResponse)[kGate];
  if (gate === undefined || gate.accepted) return;
  const declared = res.req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBody) return;
  gate.accepted = true;
  res.shouldKeepAlive = gate.keepAlive;
  if (gate.expectContinue && !res.headersSent) res.writeContinue();
}

function onGatedFinish(this: GatedResponse): void {
  const gate = this[kGate];
  const req = this.req;
  if (gate === undefined || gate.accepted || req.complete) return;
  // HTTP/2: the socket is the whole session; the unread stream is reset by node, not lingered on.
  if (req.httpVersionMajor === 2) return;
  const socket = req.socket;
  if (socket.destroyed) return;
  linger(socket);
}

/**
 * node has ended its side (FIN after the answer) and would destroy the socket once that is flushed,
 * resetting a client still sending. Instead: keep reading (node's parser drops the body) until the
 * client closes, about LINGER_BYTES more arrived, or LINGER_MS passed. (The http parser reads the
 * socket's handle itself, so no 'data' events: `bytesRead` is sampled, only while lingering.)
 */
function linger(socket: Socket): void {
  // http's destroySoon(): end() now, destroy() on 'finish'. Take the destroy over.
  socket.removeListener('finish', socket.destroy);
  const start = socket.bytesRead;
  const started = Date.now();
  const cut = (): void => {
    clearInterval(sampler);
    socket.destroy();
  };
  const sampler = setInterval(() => {
    if (socket.bytesRead - start > LINGER_BYTES || Date.now() - started > LINGER_MS) cut();
  }, 10);
  sampler.unref();
  socket.once('end', cut);
  socket.once('close', () => clearInterval(sampler));
  if (socket.writable) socket.end();
}
