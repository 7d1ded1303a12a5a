import { certificateAuthenticates, certificateHasSubject, isValidThumbprint, tlsSubjectProblem, type ClientCertFacts } from './tls-auth';

// RFC 8705 §2 matching rules (SPEC §13): subject DN as a set of attributes, SANs by kind, the
// thumbprint form; a tls_client_auth certificate must also chain to the CA.
const X5T = 'L1lyWsP7Obu3qL8ZAycmFoTCN0khRLt1xSl6ywGLGks';
const cert = (over: Partial<ClientCertFacts> = {}): ClientCertFacts => ({
  thumbprint: X5T,
  chained: true,
  subject: 'C=DE\nO=Example\nCN=m2m',
  subjectAltName: 'DNS:m2m.example, URI:spiffe://example/m2m, email:Ops@Example.com, IP Address:10.0.0.7',
  ...over,
});

describe('tls_subject matching', () => {
  it.each<[string, boolean]>([
    ['CN=m2m,O=Example,C=DE', true],
    ['C=DE,O=Example,CN=m2m', true],
    ['cn=m2m, o=Example, c=DE', true],
    ['CN=m2m', false],
    ['CN=m2m,O=Other,C=DE', false],
    ['CN=M2M,O=Example,C=DE', false],
    ['san:dns:m2m.example', true],
    ['san:dns:M2M.Example', true],
    ['san:dns:other.example', false],
    ['san:uri:spiffe://example/m2m', true],
    ['san:uri:spiffe://example/M2M', false],
    ['san:email:ops@example.com', true],
    ['san:ip:10.0.0.7', true],
    ['san:ip:10.0.0.8', false],
    ['san:dns:spiffe://example/m2m', false],
  ])('%s -> %s', (want, ok) => {
    expect(certificateHasSubject(want, cert())).toBe(ok);
  });

  it('a quoted SAN value (node quotes one holding a comma) is unquoted', () => {
    expect(certificateHasSubject('san:uri:urn:a,b', cert({ subjectAltName: 'URI:"urn:a,b", DNS:x' }))).toBe(true);
  });

  it('a forwarded hash (no subject known) never matches a subject', () => {
    expect(certificateHasSubject('CN=m2m,O=Example,C=DE', cert({ subject: null, subjectAltName: null }))).toBe(false);
    expect(certificateHasSubject('san:dns:m2m.example', cert({ subject: null, subjectAltName: null }))).toBe(false);
  });
});

describe('certificateAuthenticates', () => {
  it('tls_client_auth needs the chain and the subject; self_signed needs the thumbprint only', () => {
    const tls = { method: 'tls_client_auth', subject: 'san:dns:m2m.example' } as const;
    expect(certificateAuthenticates(tls, cert())).toBe(true);
    expect(certificateAuthenticates(tls, cert({ chained: false }))).toBe(false);
    expect(certificateAuthenticates(tls, null)).toBe(false);
    const self = { method: 'self_signed_tls_client_auth', thumbprint: X5T } as const;
    expect(certificateAuthenticates(self, cert({ chained: false, subject: null, subjectAltName: null }))).toBe(true);
    expect(certificateAuthenticates(self, cert({ thumbprint: X5T.replace(/^L/, 'M') }))).toBe(false);
  });
});

describe('validation', () => {
  it('thumbprint: 43 base64url characters encoding 32 bytes', () => {
    expect(isValidThumbprint(X5T)).toBe(true);
    for (const bad of [`${X5T}=`, X5T.slice(1), 'ab'.repeat(32), `${X5T.slice(0, 42)}B`, `${X5T.slice(0, 42)}+`, 7]) expect(isValidThumbprint(bad)).toBe(false);
  });

  it('tls_subject: a DN or a known SAN kind, one line why not', () => {
    for (const ok of ['CN=m2m', 'CN=a\\,b,O=x', '2.5.4.3=m2m', 'san:dns:a.example', 'san:uri:spiffe://x/y', 'san:email:a@b', 'san:ip:::1']) expect(tlsSubjectProblem(ok)).toBeNull();
    for (const bad of ['', 'm2m', 'CN=', '=x', 'san:rid:1', 'san:dns:', 'CN=a\u0000', 7, 'x'.repeat(1025)]) expect(tlsSubjectProblem(bad)).toMatch(/^[^\n]+$/);
  });
});
