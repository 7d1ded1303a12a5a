import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ADMIN_ENTRY, GATEWAY_ENTRY, REPO_ROOT } from '@oauth2/testing';
import { EnvConfig } from '../apps/admin-api/src/config/env.config';
import { GatewayEnv } from '../apps/gateway/src/config/gateway-env';

// deploy/ cannot be run here (no docker, no kubernetes): this checks what can be checked without
// them. Every manifest parses; kinds, ports, probes and env names agree with the apps' real
// defaults and variables; the Dockerfile is multi-stage, non-root, with a HEALTHCHECK that works.

type Obj = Record<string, any>;
const K8S = path.join(REPO_ROOT, 'deploy', 'k8s');
const files = fs.readdirSync(K8S).filter((f) => /\.ya?ml$/.test(f));
const docs: Array<{ file: string; doc: Obj }> = files.flatMap((file) => {
  const parsed = parseAllDocuments(fs.readFileSync(path.join(K8S, file), 'utf8'));
  return parsed.map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0].message}`);
    return { file, doc: d.toJS() as Obj };
  });
});
const of = (kind: string, name?: string) => docs.map((d) => d.doc).filter((d) => d.kind === kind && (name === undefined || d.metadata?.name === name));
const one = (kind: string, name: string): Obj => {
  const found = of(kind, name);
  expect(found).toHaveLength(1);
  return found[0];
};
const container = (d: Obj): Obj => d.spec.template.spec.containers[0];
const envOf = (c: Obj): Record<string, Obj> => Object.fromEntries((c.env ?? []).map((e: Obj) => [e.name, e]));
const portNamed = (c: Obj, name: string): number => c.ports.find((p: Obj) => p.name === name)?.containerPort;

const gwDefaults = new GatewayEnv();
const adminDefaults = new EnvConfig();
const SECRET_KEYS = ['OAUTH2_MASTER_KEY', 'OAUTH2_DATABASE'];

describe('deploy/k8s manifests', () => {
  it('parse, and each document is a known Kubernetes kind', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    const kinds = new Set(['Deployment', 'Service', 'Secret', 'StatefulSet', 'PodDisruptionBudget', 'Kustomization']);
    for (const { file, doc } of docs) {
      expect([file, typeof doc.apiVersion]).toEqual([file, 'string']);
      expect([file, kinds.has(doc.kind)]).toEqual([file, true]);
    }
  });

  it('kustomization lists the workloads only (never the Secret or the example database), and they exist', () => {
    const k = of('Kustomization')[0];
    expect(k.resources.sort()).toEqual(['admin-api.yaml', 'gateway.yaml']);
    for (const r of k.resources) expect(fs.existsSync(path.join(K8S, r))).toBe(true);
  });

  it('gateway: replicas, ports and probes on the gateway defaults, env from the Secret', () => {
    const d = one('Deployment', 'oauth2-gateway');
    expect(d.spec.replicas).toBeGreaterThanOrEqual(2);
    const c = container(d);
    expect(c.command).toEqual(['node', GATEWAY_ENTRY]);
    expect(portNamed(c, 'http')).toBe(gwDefaults.GATEWAY_PORT);
    expect(portNamed(c, 'status')).toBe(gwDefaults.GATEWAY_STATUS_PORT);
    const env = envOf(c);
    expect(Number(env.GATEWAY_PORT.value)).toBe(gwDefaults.GATEWAY_PORT);
    expect(Number(env.GATEWAY_STATUS_PORT.value)).toBe(gwDefaults.GATEWAY_STATUS_PORT);
    expect(env.GATEWAY_HOST.value).toBe('0.0.0.0');
    // The status port defaults to loopback; the probes reach the pod IP, so the manifest opens it.
    expect(gwDefaults.GATEWAY_STATUS_HOST).toBe('127.0.0.1');
    expect(env.GATEWAY_STATUS_HOST.value).toBe('0.0.0.0');
    // Every variable is one the gateway reads (a typo would silently fall back to a default).
    for (const name of Object.keys(env)) expect([name, name in gwDefaults || name === 'OAUTH2_DATABASE' || name === 'OAUTH2_MASTER_KEY']).toEqual([name, true]);
    for (const k of SECRET_KEYS) expect(env[k].valueFrom.secretKeyRef).toEqual({ name: 'oauth2-gateway', key: k });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'status' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'status' });
    expect(c.resources.requests).toEqual(expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }));
    expect(c.resources.limits.memory).toBeDefined();
    expect(d.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(d.spec.template.metadata.annotations['prometheus.io/port']).toBe(String(gwDefaults.GATEWAY_STATUS_PORT));
  });

  it('admin API: one replica, ClusterIP only, on the admin default port', () => {
    const d = one('Deployment', 'oauth2-admin-api');
    expect(d.spec.replicas).toBe(1);
    const c = container(d);
    expect(c.command).toEqual(['node', ADMIN_ENTRY]);
    expect(portNamed(c, 'admin')).toBe(adminDefaults.ADMIN_PORT);
    const env = envOf(c);
    expect(Number(env.ADMIN_PORT.value)).toBe(adminDefaults.ADMIN_PORT);
    for (const name of Object.keys(env))
      expect([name, name in adminDefaults || ['OAUTH2_DATABASE', 'OAUTH2_MASTER_KEY', 'OAUTH2_ADMIN_TOKEN', 'HEALTHCHECK_URL'].includes(name)]).toEqual([name, true]);
    for (const k of [...SECRET_KEYS, 'OAUTH2_ADMIN_TOKEN']) expect(env[k].valueFrom.secretKeyRef).toEqual({ name: 'oauth2-gateway', key: k });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'admin' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'admin' });
    expect(one('Service', 'oauth2-admin-api').spec.type).toBe('ClusterIP');
  });

  it('each Service selects a workload and targets one of its named ports', () => {
    const workloads = [...of('Deployment'), ...of('StatefulSet')];
    for (const s of of('Service')) {
      const sel = Object.entries(s.spec.selector as Record<string, string>);
      const w = workloads.filter((x) => sel.every(([k, v]) => x.spec.template.metadata.labels[k] === v));
      expect([s.metadata.name, w.length]).toEqual([s.metadata.name, 1]);
      for (const p of s.spec.ports) expect(portNamed(container(w[0]), p.targetPort)).toBeGreaterThan(0);
    }
  });

  it('the Secret template holds every key the workloads reference, with placeholders only', () => {
    const secret = one('Secret', 'oauth2-gateway');
    for (const k of [...SECRET_KEYS, 'OAUTH2_ADMIN_TOKEN']) expect(secret.stringData[k]).toContain('REPLACE');
  });
});

describe('deploy/Dockerfile', () => {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'deploy', 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((l) => !l.startsWith('#'));

  it('is multi-stage (npm ci + build, then a runtime), runs the built gateway as a non-root user', () => {
    expect(lines.filter((l) => /^FROM /.test(l)).length).toBe(2);
    expect(text).toMatch(/RUN npm ci/);
    expect(text).toMatch(/npm run build/);
    expect(lines.find((l) => /^USER /.test(l))).toBe('USER node');
    expect(text).toContain(`CMD ["node", "${GATEWAY_ENTRY}"]`);
    const exposed = (lines.find((l) => /^EXPOSE /.test(l)) ?? '').split(/\s+/).slice(1).map(Number);
    expect(exposed).toEqual(expect.arrayContaining([gwDefaults.GATEWAY_PORT, gwDefaults.GATEWAY_STATUS_PORT, adminDefaults.ADMIN_PORT]));
  });

  it('HEALTHCHECK command exits 0 on a 200 /healthz and 1 otherwise', async () => {
    const m = /HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])/.exec(text);
    expect(m).not.toBeNull();
    const argv = JSON.parse(m![1]) as string[];
    expect(argv[0]).toBe('node');
    let status = 200;
    const server = http.createServer((req, res) => res.writeHead(req.url === '/healthz' ? status : 404).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const run = (env: Record<string, string>) =>
      new Promise<number | null>((resolve) => spawn(process.execPath, argv.slice(1), { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore' }).on('exit', resolve));
    try {
      expect(await run({ GATEWAY_STATUS_PORT: String(port) })).toBe(0);
      expect(await run({ HEALTHCHECK_URL: `http://127.0.0.1:${port}/healthz` })).toBe(0);
      status = 503;
      expect(await run({ GATEWAY_STATUS_PORT: String(port) })).toBe(1);
    } finally {
      server.close();
    }
  });
});
