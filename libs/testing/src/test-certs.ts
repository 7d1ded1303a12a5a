// Owner: TLS engineer. Test certificates made at test time with the openssl command line (Debian ships it).
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CertPair {
  /** PEM certificate file. */
  cert: string;
  /** PEM private key file. */
  key: string;
}

export interface TestPki {
  dir: string;
  /** The test CA (self-signed); `ca.cert` is the bundle clients trust. */
  ca: CertPair;
  /** Server certificate for localhost, 127.0.0.1 and ::1, issued by the CA. */
  server: CertPair;
  /** Client certificates issued by the CA: CN=client-a (SAN dns:client-a.example), CN=client-b. */
  clientA: CertPair;
  clientB: CertPair;
  /** Issues another certificate from the CA (a server one, for localhost unless `san` says otherwise, with `serverNames`). */
  issue(name: string, opts?: { cn?: string; serverNames?: boolean; san?: string }): CertPair;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A fresh CA, server and client certificates under `dir` (EC P-256, valid one day). */
export function makeTestPki(dir: string): TestPki {
  fs.mkdirSync(dir, { recursive: true });
  const p = (f: string) => path.join(dir, f);
  const key = (f: string) => openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f], dir);
  key('ca.key');
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca.key',
      '-subj',
      '/CN=oauth2-gateway test CA',
      '-days',
      '1',
      '-out',
      'ca.pem',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  let serial = 1;
  const issue: TestPki['issue'] = (name, opts = {}) => {
    key(`${name}.key`);
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${opts.cn ?? name}`, '-out', `${name}.csr`], dir);
    const ext = opts.serverNames
      ? `subjectAltName=${opts.san ?? 'DNS:localhost,IP:127.0.0.1,IP:::1'}\nextendedKeyUsage=serverAuth\n`
      : `extendedKeyUsage=clientAuth\n${opts.san ? `subjectAltName=${opts.san}\n` : ''}`;
    fs.writeFileSync(p(`${name}.ext`), `basicConstraints=CA:FALSE\n${ext}`);
    openssl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(Date.now() * 100 + serial++), '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`],
      dir,
    );
    return { cert: p(`${name}.pem`), key: p(`${name}.key`) };
  };
  return {
    dir,
    ca: { cert: p('ca.pem'), key: p('ca.key') },
    server: issue('server', { cn: 'localhost', serverNames: true }),
    clientA: issue('client-a', { san: 'DNS:client-a.example' }),
    clientB: issue('client-b'),
    issue,
  };
}

/** base64url SHA-256 of the certificate's DER (RFC 8705 `x5t#S256`). */
export function certThumbprint(certFile: string): string {
  return createHash('sha256')
    .update(new X509Certificate(fs.readFileSync(certFile)).raw)
    .digest('base64url');
}

/** The serial number (hex) of a PEM certificate, to tell which one a server presented. */
export function certSerial(certFile: string): string {
  return new X509Certificate(fs.readFileSync(certFile)).serialNumber;
}
