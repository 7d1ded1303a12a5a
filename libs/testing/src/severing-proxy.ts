import * as net from 'node:net';

/**
 * A TCP pass-through (127.0.0.1, port 0) in front of a database URL, for the failure a pool cannot
 * see coming: `severIdle()` marks every open connection so that the next bytes its client sends
 * close it (both sides) instead of reaching the server — a connection that died while idle in the
 * pool, noticed only when used. Connections opened afterwards pass through normally.
 */
export interface SeveringProxy {
  /** `url` with its host and port pointing at the proxy. */
  url: string;
  /** Marks the open connections; returns how many. */
  severIdle(): number;
  /** How many connections were cut on use so far. */
  severed(): number;
  close(): Promise<void>;
}

export async function startSeveringProxy(url: string): Promise<SeveringProxy> {
  const target = new URL(url);
  const open = new Set<{ client: net.Socket; server: net.Socket; doomed: boolean }>();
  let severed = 0;
  const proxy = net.createServer((client) => {
    const server = net.connect(Number(target.port || 5432), target.hostname);
    const conn = { client, server, doomed: false };
    open.add(conn);
    const drop = () => {
      open.delete(conn);
      client.destroy();
      server.destroy();
    };
    client.on('data', (chunk) => {
      if (conn.doomed) {
        severed++;
        return drop();
      }
      server.write(chunk);
    });
    server.on('data', (chunk) => client.write(chunk));
    client.on('close', drop).on('error', drop);
    server.on('close', drop).on('error', drop);
  });
  await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String((proxy.address() as net.AddressInfo).port);
  return {
    url: proxied.toString(),
    severIdle: () => {
      for (const c of open) c.doomed = true;
      return open.size;
    },
    severed: () => severed,
    close: () =>
      new Promise<void>((ok) => {
        for (const c of open) {
          c.client.destroy();
          c.server.destroy();
        }
        proxy.close(() => ok());
      }),
  };
}
