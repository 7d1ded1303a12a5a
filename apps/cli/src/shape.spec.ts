import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The CLI speaks one way: wire types come from libs/contracts as types only (so none of the DTOs'
 * class-validator / swagger code is loaded by oauth2ctl), and commands reach the admin API only
 * through AdminClient's typed methods, never with a path of their own.
 */
const root = __dirname;
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [join(dir, e.name)] : []));

describe('oauth2ctl source shape', () => {
  it('imports @oauth2/contracts as types only', () => {
    const valueImports = sources(root).flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      return [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'@oauth2\/contracts'/gm)].map(() => relative(root, f));
    });
    expect(valueImports).toEqual([]);
  });

  it('keeps admin API paths in the client', () => {
    const withPaths = sources(join(root, 'commands')).filter((f) => /['`]\/(v1\/|healthz)/.test(readFileSync(f, 'utf8')));
    expect(withPaths.map((f) => relative(root, f))).toEqual([]);
  });
});
