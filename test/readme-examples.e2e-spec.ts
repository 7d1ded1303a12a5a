/**
 * The README's examples, run as a reader would paste them, against a real admin API and gateway
 * started from dist/: the Quickstart's commands in order, every YAML block applied with --dry-run,
 * the "Moving from Higress" and "Admin API" commands, and the example error line. Only the port
 * numbers are changed (the apps listen on free ports here), and after a command that starts a
 * server in the background the test waits until that server answers (a readiness poll, the
 * README's reader does it by typing the next command).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { Agent, fetch as undiciFetch, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { makeTempDir, REPO_ROOT, runOauth2ctl, spawnAdmin, spawnGateway, type AdminProcess, type GatewayProcess, type TempDir } from '@oauth2/testing';

jest.setTimeout(120_000);

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

/** The fenced blocks of one `## ` section (or of the whole README), with their language. */
function blocks(section?: string): { lang: string; text: string }[] {
  let text = README;
  if (section !== undefined) {
    const start = README.indexOf(`\n## ${section}\n`);
    if (start < 0) throw new Error(`README has no "## ${section}" section`);
    const end = README.indexOf('\n## ', start + 1);
    text = README.slice(start, end < 0 ? undefined : end);
  }
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], text: m[2] }));
}

const firstSh = (section: string): string => {
  const b = blocks(section).find((x) => x.lang === 'sh');
  if (!b) throw new Error(`no sh block in "${section}"`);
  return b.text;
};

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address() as { port: number };
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

let temp: TempDir;
let admin: AdminProcess;
let gateway: GatewayProcess;
let ports: Record<string, number>;
const env = (): Record<string, string> => ({ PATH: process.env.PATH ?? '', HOME: temp.path, OAUTH2_SERVER: admin.url });

/** The README's port numbers mapped to the ones of this test's processes. */
function withPorts(script: string): string {
  return script.replace(/\b(8000|8001|8100|9000)\b/g, (p) => String(ports[p]));
}

/**
 * Runs a README block with bash -e in the reader's working directory (which holds `data/`, with
 * `bin` linked to the repo's). A line ending in `&` is followed by a readiness poll of the port
 * it names. Background jobs are stopped afterwards (the script runs in its own process group).
 */
function runBlock(script: string): Promise<{ code: number | null; out: string }> {
  const lines = withPorts(script)
    .split('\n')
    .flatMap((line) => {
      const port = /&\s*$/.test(line) ? /listen\((\d+)/.exec(line)?.[1] : undefined;
      return port ? [line, `until curl -s -o /dev/null http://127.0.0.1:${port}/; do sleep 0.05; done`] : [line];
    });
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', lines.join('\n')], { cwd: temp.path, env: env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c));
    child.stderr!.on('data', (c: Buffer) => (out += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // no background job left
      }
      resolve({ code, out });
    });
  });
}

beforeAll(async () => {
  temp = makeTempDir('oauth2-readme-');
  const dataDir = path.join(temp.path, 'data');
  mkdirSync(dataDir);
  // The README's reader runs `npm start`, which writes data/admin.token: no OAUTH2_ADMIN_TOKEN here either.
  admin = await spawnAdmin({ token: false, env: { OAUTH2_DATA_DIR: dataDir } });
  gateway = await spawnGateway({ dataDir });
  const port = (url: string) => Number(new URL(url).port);
  ports = { 8000: port(gateway.url), 8001: port(admin.url), 8100: port(gateway.statusUrl), 9000: await freePort() };
  symlinkSync(path.join(REPO_ROOT, 'bin'), path.join(temp.path, 'bin'));
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await admin?.stop();
  temp?.cleanup();
});

describe('README examples', () => {
  it('Quickstart: the commands in order, as written', async () => {
    const r = await runBlock(firstSh('Quickstart'));
    expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.any(String) });
    expect(r.out).toMatch(/^client_secret:\s+\S{43}$/m); // consumer1's, printed once
    expect(r.out).toMatch(/"access_token":"[\w-]+\.[\w-]+\.[\w-]+"/); // the POST with Basic auth
    expect(r.out).toMatch(/HTTP\/1\.1 200 /);
    expect(r.out).toMatch(/"x-mse-consumer": "consumer2"/);
    expect(r.out).toMatch(/HTTP\/1\.1 401 /);
    expect(r.out).toContain('{"code":401,"msg":"Invalid Jwt token: missing token","reason":"missing_token"}');
    // No secret left in the reader's directory: consumer2's credentials stayed in shell variables.
    expect(readFileSync(path.join(temp.path, 'data', 'admin.token'), 'utf8').length).toBeGreaterThan(0);
    expect(readdirSync(temp.path).sort()).toEqual(['bin', 'data']);
  });

  it('the Quickstart upstream serves no files (the gateway never exposes the working directory)', async () => {
    expect(firstSh('Quickstart')).not.toMatch(/http\.server|--directory|serve\b/);
  });

  it('every YAML block is valid on its own (apply --dry-run)', async () => {
    const yaml = blocks().filter((b) => b.lang === 'yaml');
    expect(yaml.length).toBeGreaterThanOrEqual(2);
    for (const b of yaml) {
      const r = await runOauth2ctl(['apply', '-f', '-', '--dry-run'], { cwd: temp.path, env: env(), stdin: b.text });
      expect({ code: r.code, stderr: r.stderr, doc: b.text.slice(0, 60) }).toEqual({ code: 0, stderr: '', doc: b.text.slice(0, 60) });
      expect(r.stdout).toMatch(/^dry run: valid, nothing was changed$/m);
    }
  });

  it('Moving from Higress: the commands, with the first YAML block as my-wasmplugin.yaml', async () => {
    writeFileSync(path.join(temp.path, 'my-wasmplugin.yaml'), blocks('Moving from Higress').find((b) => b.lang === 'yaml')!.text);
    const r = await runBlock(firstSh('Moving from Higress'));
    expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.stringMatching(/applied at revision \d+/) });
    expect(r.out).toMatch(/warning: spec\.matchRules\[0\]\.ingress\[1\]: route "route-b" does not exist yet; rule kept/);
    const backup = path.join(temp.path, 'oauth2-backup.yaml'); // ~ is HOME, the test's temp dir
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    expect(readFileSync(backup, 'utf8')).toContain('kind: WasmPlugin');
  });

  it('Admin API: the curl commands answer without an error', async () => {
    const r = await runBlock(firstSh('Admin API and CLI'));
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/"code":[45]\d\d/);
    expect(r.out).toContain('"name":"consumer3"');
    expect(r.out).toContain('"global_auth":true');
    expect(r.out).toContain('"upstream":"http://127.0.0.1:');
    expect(r.out).toContain('"deleted":"consumer3"');
    expect(r.out).toMatch(/"warnings":\[/);
  });

  it('Admin access: a viewer token for CI, refused writes, the audit trail of a consumer', async () => {
    const r = await runBlock(firstSh('Admin access'));
    expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.stringMatching(/^acting as: +ci-dashboard \(role viewer\)$/m) });
    expect(r.out).toMatch(/role viewer may not POST \/v1\/consumers/);
    expect(r.out).toMatch(/^refused, exit 4$/m);
    expect(r.out).toMatch(/^ci-dashboard +viewer /m);
    expect(r.out).toMatch(/ root +admin +consumer\.rotate_secret +billing /);
    expect(r.out).toMatch(/ root +admin +consumer\.create +billing /);
    expect(r.out).toMatch(/"items":\[\{"id":\d+,"at":"[^"]+","actor":"root","role":"admin","action":"consumer.rotate_secret","target":"billing"/);
    expect(r.out).toMatch(/^revoked admin token ci-dashboard$/m);
  });

  it('Authorization: scopes granted and required, insufficient_scope, a scope taken away, groups', async () => {
    const r = await runBlock(firstSh('Authorization'));
    expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.stringContaining('"msg":"scope admin is not allowed for this client","error":"invalid_scope"') });
    expect(r.out).toMatch(/^HTTP\/1\.1 403 /m);
    expect(r.out).toMatch(/^www-authenticate: Bearer realm="oauth2-gateway", error="insufficient_scope", scope="orders:write"\r?$/im);
    expect(r.out).toContain('"scope":"orders:read orders:write"');
    expect(r.out).toContain('"x-authenticated-scope": "orders:read orders:write"');
    expect(r.out).toContain('{"code":403,"msg":"Access Denied: insufficient scope","reason":"insufficient_scope"}');
    expect(r.out).toMatch(/^shop +\S+ +orders:read +billing /m);
  });

  it('Authorization: rotation with a grace period (the old secret and its tokens until the grace ends, refused after)', async () => {
    const sh = blocks('Authorization').filter((b) => b.lang === 'sh' && b.text.includes('--grace'));
    expect(sh).toHaveLength(1);
    const r = await runBlock(sh[0].text);
    expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.stringMatching(/^previous_secret_expires_at:? +\S+Z \(the previous secret works until then\)$/m) });
    const lines = r.out.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    // Three 200s during the grace, then the refusals, then 200 for the new secret.
    expect(lines.filter((l) => l === '200')).toHaveLength(4);
    expect(r.out).toMatch(/signed with the previous secret, accepted until \S+Z/);
    expect(r.out).toMatch(/the previous secret's grace ended at \S+Z/);
    expect(at(/"reason":"bad_signature"/)).toBeGreaterThan(at(/signed with the previous secret/));
    expect(r.out).toMatch(/"error":"invalid_client"/);
  });

  it('TLS and mTLS: a client certificate from the test CA, a tls_client_auth consumer, a bound token, the API with and without the certificate', async () => {
    // The section's first block: its openssl lines make tls/ (the reader's `npm start` line is ours to do).
    const first = firstSh('TLS and mTLS');
    const pki = first.slice(first.indexOf('mkdir -p tls'), first.indexOf('cd ..') + 'cd ..'.length);
    expect((await runBlock(pki)).code).toBe(0);
    const mtls = blocks('TLS and mTLS').filter((b) => b.lang === 'sh' && b.text.includes('--auth tls_client_auth'));
    expect(mtls).toHaveLength(1);
    // The gateway and admin API as the block's first comment starts them (TLS, GATEWAY_TLS_CLIENT_CA), on the same data dir.
    const tls = (f: string) => path.join(temp.path, 'tls', f);
    const dataDir = path.join(temp.path, 'data');
    // fetch() in this process (the admin API's readiness poll) trusts the README's test CA meanwhile.
    const previous = getGlobalDispatcher();
    const nodeFetch = globalThis.fetch;
    setGlobalDispatcher(new Agent({ connect: { ca: readFileSync(tls('ca.pem')) } }));
    globalThis.fetch = undiciFetch as unknown as typeof fetch;
    const saved = ports;
    let tlsAdmin: AdminProcess | undefined;
    let tlsGateway: GatewayProcess | undefined;
    try {
      tlsAdmin = await spawnAdmin({ token: false, env: { OAUTH2_DATA_DIR: dataDir, ADMIN_TLS_CERT: tls('server.pem'), ADMIN_TLS_KEY: tls('server.key') } });
      tlsGateway = await spawnGateway({ dataDir, env: { GATEWAY_TLS_CERT: tls('server.pem'), GATEWAY_TLS_KEY: tls('server.key'), GATEWAY_TLS_CLIENT_CA: tls('ca.pem') } });
      const port = (url: string) => Number(new URL(url).port);
      ports = { ...ports, 8000: port(tlsGateway.url), 8001: port(tlsAdmin.url), 8100: port(tlsGateway.statusUrl), 9000: await freePort() };
      const r = await runBlock(mtls[0].text);
      expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.stringContaining('"x-mse-consumer": "m2m"') });
      expect(r.out).toMatch(/\{ 'x5t#S256': '[\w-]{43}' \}/);
      expect(r.out).toMatch(/"reason":"certificate_mismatch"/);
      expect(r.out).toMatch(/"error":"invalid_client".*"reason":"invalid_client_certificate"/);
      expect(r.out).toMatch(/✓ certificate binding +over TLS, client certificate x5t#S256 [\w-]{43}; the token is bound to x5t#S256 /);
      expect(r.out).toMatch(/^outcome: +200 /m);
    } finally {
      ports = saved;
      await tlsGateway?.stop();
      await tlsAdmin?.stop();
      setGlobalDispatcher(previous);
      globalThis.fetch = nodeFetch;
    }
  });

  it('the example error line is what oauth2ctl prints', async () => {
    const m = /`bin\/oauth2ctl (allow add [^`]+)` prints\s+`(oauth2ctl: [^`]+)`/.exec(README);
    expect(m).not.toBeNull();
    const r = await runOauth2ctl(m![1].split(' '), { cwd: temp.path, env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${m![2]}\n`);
  });

  it('names the OpenAPI JSON document', () => {
    expect(blocks('Admin API and CLI').length).toBeGreaterThan(0);
    expect(README).toContain('/docs/openapi.json');
  });
});
