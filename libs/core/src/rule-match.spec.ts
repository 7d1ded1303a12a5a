import { compileRules, matchRule } from './rule-match';
import type { RuleRecord } from './model';

let nextId = 1;
const byRoute = (routes: string[], allow: string[] = ['c']): RuleRecord => ({ id: nextId++, position: nextId, routes, domains: null, allow });
const byDomain = (domains: string[], allow: string[] = ['c']): RuleRecord => ({ id: nextId++, position: nextId, routes: null, domains, allow });

describe('matchRule (the first matching rule, by position)', () => {
  const rules = [
    byRoute(['ns/route-a', 'asd']), // 0
    byDomain(['*.example.com', 'Foo.com']), // 1
    byDomain(['a.example.com']), // 2: shadowed by rule 1 for a.example.com
    byRoute(['ns/route-b']), // 3
    byDomain(['*.deep.test']), // 4
    byDomain(['x.deep.test']), // 5: shadowed by 4
    byDomain(['y.z.deep2.test']), // 6
    byDomain(['*.deep2.test']), // 7: after 6, so 6 wins for y.z.deep2.test
  ];
  const table = compileRules(rules);

  it.each<[string | undefined, string, number | undefined]>([
    ['ns/route-a', 'nothing.test', 0],
    ['asd', 'nothing.test', 0],
    // a route rule earlier than the domain rule wins, and vice versa
    ['ns/route-a', 'foo.com', 0],
    ['ns/route-b', 'foo.com', 1],
    ['ns/route-b', 'nothing.test', 3],
    [undefined, 'foo.com', 1],
    ['other', 'a.example.com', 1],
    ['other', 'a.b.example.com', 1],
    // a wildcard does not match its bare suffix
    ['other', 'example.com', undefined],
    ['other', 'x.deep.test', 4],
    ['other', 'y.z.deep2.test', 6],
    ['other', 'w.z.deep2.test', 7],
    ['other', 'deep2.test', undefined],
    [undefined, 'nothing.test', undefined],
  ])('route %s, host %s -> rule #%s', (routeName, host, index) => {
    expect(matchRule(table, routeName, host)?.index).toBe(index);
  });

  it('holds the allow set of the matched rule', () => {
    const t = compileRules([byRoute(['r'], ['alice', 'bob'])]);
    const rule = matchRule(t, 'r', 'h')!;
    expect(rule.allowSet.has('alice')).toBe(true);
    expect(rule.allowSet.has('carol')).toBe(false);
  });

  it('finds nothing without rules', () => {
    expect(matchRule(compileRules([]), 'r', 'h')).toBeUndefined();
  });
});
