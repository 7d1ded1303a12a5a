import type { IncomingMessage } from 'node:http';
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * GATEWAY_TRUSTED_PROXIES (docs/tls.md): the peers whose `X-Forwarded-For` and `X-Forwarded-Proto`
 * the gateway believes. Default none: then any client's are ignored (a client can write them).
 * IPv4 and IPv6 CIDRs; an IPv4 rule also matches the IPv4-mapped IPv6 peer (`::ffff:10.0.0.1`).
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly empty: boolean;

  /** Throws one line naming the first entry that is not a CIDR or an address. */
  constructor(text: string | undefined) {
    const parts = (text ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    for (const p of parts) {
      const slash = p.indexOf('/');
      const addr = slash < 0 ? p : p.slice(0, slash);
      const v4 = isIPv4(addr);
      if (!v4 && !isIPv6(addr)) throw new Error(`"${p}" is not an IPv4 or IPv6 address or CIDR`);
      const max = v4 ? 32 : 128;
      const prefix = slash < 0 ? max : /^\d{1,3}$/.test(p.slice(slash + 1)) ? Number(p.slice(slash + 1)) : NaN;
      if (!(prefix >= 0 && prefix <= max)) throw new Error(`"${p}" has a bad prefix length (0-${max})`);
      this.list.addSubnet(addr, prefix, v4 ? 'ipv4' : 'ipv6');
    }
    this.empty = parts.length === 0;
  }

  /** True when the TCP peer of `req` is a trusted proxy. */
  trusts(req: IncomingMessage): boolean {
    if (this.empty) return false;
    const a = req.socket.remoteAddress;
    if (a === undefined) return false;
    return this.list.check(a, a.indexOf(':') >= 0 ? 'ipv6' : 'ipv4');
  }

  /**
   * Did the request arrive over TLS: on a TLS connection, or from a trusted proxy that says
   * `X-Forwarded-Proto: https` (one value, exactly `https` in any case; anything else is not).
   */
  secure(req: IncomingMessage): boolean {
    if ((req.socket as { encrypted?: boolean }).encrypted === true) return true;
    return this.forwardedHttps(req);
  }

  /** Only the trusted proxy's word: for the authz listener, whose peer is the proxy, not the client. */
  forwardedHttps(req: IncomingMessage): boolean {
    if (this.empty) return false;
    const p = req.headers['x-forwarded-proto'];
    return typeof p === 'string' && p.length === 5 && p.toLowerCase() === 'https' && this.trusts(req);
  }
}
