/** `http://host:port` for a log line; IPv6 literals get brackets. */
export function httpUrl(host: string, port: number): string {
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}
