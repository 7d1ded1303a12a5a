import { cell, pageNote, renderPairs, renderTable } from './table';
import { applyView, consumerSecretView, consumerView, deleteView, rulesTable, settingsTable } from './views';

describe('renderTable', () => {
  it('aligns columns with two spaces and leaves no trailing blanks', () => {
    const out = renderTable(
      ['NAME', 'CLIENT_ID'],
      [
        ['consumer1', 'abc'],
        ['c2', 'a-much-longer-id'],
      ],
    );
    expect(out.split('\n')).toEqual(['NAME       CLIENT_ID', 'consumer1  abc', 'c2         a-much-longer-id']);
  });

  it('prints the header alone for an empty list', () => {
    expect(renderTable(['A', 'B'], [])).toBe('A  B');
  });

  it('does not pad an empty last column', () => {
    expect(renderTable(['A', 'B'], [['x', '']]).split('\n')[1]).toBe('x');
  });
});

describe('cell', () => {
  it.each([
    [null, '-'],
    [undefined, '-'],
    [[], '-'],
    [['a', 'b'], 'a,b'],
    [true, 'true'],
    [3, '3'],
    ['two\nlines', 'two lines'],
    [{ a: 1 }, '{"a":1}'],
  ])('%p -> %p', (v, s) => expect(cell(v)).toBe(s));
});

describe('renderPairs', () => {
  it('aligns keys', () => {
    expect(
      renderPairs([
        ['name', 'x'],
        ['client_id', 'y'],
      ]),
    ).toBe('name:       x\nclient_id:  y');
  });
});

describe('pageNote', () => {
  it('says nothing for a complete list, and tells a cut one', () => {
    expect(pageNote(3, 3)).toBeNull();
    expect(pageNote(2, 5)).toBe('(showing 1-2 of 5)');
    expect(pageNote(2, 5, 2)).toBe('(showing 3-4 of 5)');
    expect(pageNote(0, 5, 10)).toBe('(none shown of 5)');
  });
});

describe('views', () => {
  it('shows a secret only in the create/rotate view, with the warning', () => {
    const c = {
      name: 'consumer1',
      client_id: 'id-1',
      client_secret: 's'.repeat(43),
      created_at: '2026-01-01T00:00:00Z',
      scopes: null,
      groups: [],
      previous_secret_expires_at: null,
      auth_method: 'client_secret' as const,
      tls_subject: null,
      tls_thumbprint: null,
    };
    expect(consumerSecretView(c)).toContain('s'.repeat(43));
    expect(consumerSecretView(c)).toMatch(/will not be shown again/);
    expect(consumerView(c)).not.toContain('s'.repeat(43));
    expect(consumerView(c)).not.toMatch(/client_secret/);
  });

  it('renders unset global_auth as "unset"', () => {
    expect(settingsTable({ global_auth: null, token_ttl: 7200 })).toBe('KEY          VALUE\nglobal_auth  unset\ntoken_ttl    7200');
  });

  it('renders rules by what they match', () => {
    const out = rulesTable({
      items: [
        { id: 1, position: 0, routes: ['ns/a', 'b'], allow: ['c1'], allow_groups: [], scopes: [] },
        { id: 2, position: 1, domains: ['*.x.com'], allow: ['c1', 'c2'], allow_groups: ['billing'], scopes: ['orders:read', 'orders:write'] },
        { id: 3, position: 2, domains: ['y.com'], allow: [], allow_groups: [], scopes: [] },
      ],
      total: 3,
    });
    expect(out.split('\n')).toEqual([
      'ID  POSITION  MATCH           ALLOW     GROUPS   SCOPES',
      '1   0         route:ns/a,b    c1        -        -',
      '2   1         domain:*.x.com  c1,c2     billing  orders:read orders:write',
      '3   2         domain:y.com    (nobody)  -        -',
    ]);
  });

  it('reports rules touched by a delete', () => {
    expect(deleteView('consumer', { deleted: 'c1', rules_updated: [1, 2], rules_deleted: [3], rules_emptied: [] })).toBe(
      'deleted consumer c1\nrules updated: 1, 2\nrules deleted (every route they named is gone): 3',
    );
    expect(deleteView('consumer', { deleted: 'c1', rules_updated: [], rules_deleted: [], rules_emptied: [5] })).toBe(
      'deleted consumer c1\nwarning: rules now allow nobody (their allow-list is empty; 403 until you allow someone): 5',
    );
    expect(deleteView('rule', { deleted: '4', rules_updated: [], rules_deleted: [], rules_emptied: [] })).toBe('deleted rule 4');
  });

  const NONE = { consumers: { added: [], removed: [], changed: [] }, rules: { added: [], removed: [], changed: [] }, settings: [] };
  it('prints apply counts, the changes and each warning', () => {
    const out = applyView({ revision: 9, warnings: ['route "x" does not exist yet'], applied: { consumers: 2, rules: 1 }, changes: NONE }, false);
    expect(out.split('\n')).toEqual(['applied at revision 9', 'consumers: 2', 'rules: 1', 'changes: none', 'warning: route "x" does not exist yet']);
    expect(applyView({ revision: 9, warnings: [], applied: { consumers: 0, rules: 0 }, changes: NONE }, true)).toMatch(/^dry run/);
  });

  it('prints the changes as a diff: names and fields, never a value of a secret', () => {
    const changes = {
      consumers: { added: ['new'], removed: ['gone'], changed: [{ name: 'keep', fields: ['client_secret', 'scopes', 'groups'] }] },
      rules: {
        added: [{ position: 2, routes: ['a', 'b'], domains: null, allow: ['new'] }],
        removed: [{ position: 3, routes: null, domains: ['x.com'], allow: [] }],
        changed: [
          { position: 1, routes: ['r'], domains: null, allow: ['keep', 'new'], fields: ['allow'] },
          { position: 4, routes: ['s'], domains: null, allow: [], allow_groups: ['billing'], scopes: ['orders:write'], fields: ['allow_groups', 'scopes'] },
        ],
      },
      settings: [
        { key: 'global_auth', from: false, to: true },
        { key: 'issuer', from: 'a', to: 'b' },
      ],
    };
    expect(
      applyView({ revision: 4, warnings: [], applied: { consumers: 2, rules: 2 }, changes }, true)
        .split('\n')
        .slice(3),
    ).toEqual([
      'would change:',
      '  + consumer new',
      '  - consumer gone',
      '  ~ consumer keep: client_secret, scopes, groups changed',
      '  + rule #2 route:a,b allow new',
      '  - rule #3 domain:x.com allows nobody',
      '  ~ rule route:r: allow changed (now #1, allow keep,new)',
      '  ~ rule route:s: allow_groups, scopes changed (now #4, groups billing scopes orders:write)',
      '  ~ setting global_auth: false -> true',
      '  ~ setting issuer: "a" -> "b"',
    ]);
  });
});
