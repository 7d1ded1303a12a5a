import { DEFAULT_SETTINGS } from '@oauth2/core';
import { countChanges, diffApply, type ConsumerSide, type RuleChangeView } from './apply-changes';

const c = (name: string, client_id = `${name}-id`, secretChanged = false): ConsumerSide => ({ name, client_id, secretChanged });
const route = (position: number, routes: string[], allow: string[]): RuleChangeView => ({ position, routes, domains: null, allow });
const domain = (position: number, domains: string[], allow: string[]): RuleChangeView => ({ position, routes: null, domains, allow });
const S = { ...DEFAULT_SETTINGS };

describe('diffApply', () => {
  it('nothing changes: every list empty', () => {
    const side = { consumers: [c('a')], rules: [route(1, ['r'], ['a'])], settings: S };
    expect(countChanges(diffApply(side, side))).toEqual({ consumers_added: 0, consumers_removed: 0, consumers_changed: 0, rules_added: 0, rules_removed: 0, rules_changed: 0, settings_changed: 0 });
  });

  it('consumers: added, removed, changed client_id and secret by field name', () => {
    const d = diffApply({ consumers: [c('a'), c('b'), c('gone')], rules: [], settings: S }, { consumers: [c('a', 'new-id'), c('b', 'b-id', true), c('new')], rules: [], settings: S });
    expect(d.consumers).toEqual({
      added: ['new'],
      removed: ['gone'],
      changed: [
        { name: 'a', fields: ['client_id'] },
        { name: 'b', fields: ['client_secret'] },
      ],
    });
  });

  it('rules pair by what they match, whatever the order of the lists; allow and position changes are named', () => {
    const before = [route(1, ['r1', 'r2'], ['a']), domain(2, ['x.com'], ['b']), route(3, ['old'], ['a'])];
    const after = [domain(1, ['x.com'], ['b', 'c']), route(2, ['r2', 'r1'], ['a']), route(3, ['new'], ['a'])];
    const d = diffApply({ consumers: [], rules: before, settings: S }, { consumers: [], rules: after, settings: S });
    expect(d.rules.added).toEqual([route(3, ['new'], ['a'])]);
    expect(d.rules.removed).toEqual([route(3, ['old'], ['a'])]);
    expect(d.rules.changed).toEqual([
      { ...domain(1, ['x.com'], ['b', 'c']), fields: ['position', 'allow'] },
      { ...route(2, ['r2', 'r1'], ['a']), fields: ['position'] },
    ]);
  });

  it('two rules on one target pair first with first; the extra one is removed', () => {
    const d = diffApply({ consumers: [], rules: [route(1, ['r'], ['a']), route(2, ['r'], ['b'])], settings: S }, { consumers: [], rules: [route(1, ['r'], ['a'])], settings: S });
    expect(d.rules.removed).toEqual([route(2, ['r'], ['b'])]);
    expect(d.rules.changed).toEqual([]);
  });

  it('settings: old -> new of each changed key only', () => {
    const d = diffApply({ consumers: [], rules: [], settings: S }, { consumers: [], rules: [], settings: { ...S, token_ttl: 60, global_auth: true } });
    expect(d.settings).toEqual([
      { key: 'token_ttl', from: DEFAULT_SETTINGS.token_ttl, to: 60 },
      { key: 'global_auth', from: DEFAULT_SETTINGS.global_auth, to: true },
    ]);
  });
});
