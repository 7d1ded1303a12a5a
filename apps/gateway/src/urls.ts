/** `http://host:port` for a log line; IPv6 literals get brackets. */
export function httpUrl(host: string, port: number): string {
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/** The proxy listener's URL: `https://` when it serves TLS. */
export function listenerUrl(host: string, port: number, tls: boolean): string {
  const u = httpUrl(host, port);
  return tls ? 'https' + u.slice(4) : u;
}
