import { ApplyValidationError, planApply } from './apply-parse';

/** planApply reports every problem of a document at once (like a POST body's errors[]), not only the first. */
const problems = (doc: string): string[] => {
  try {
    planApply(doc);
  } catch (e) {
    expect(e).toBeInstanceOf(ApplyValidationError);
    return (e as ApplyValidationError).errors;
  }
  throw new Error('planApply accepted the document');
};

describe('planApply: every problem of a document', () => {
  it('an unknown key, a short secret and an undefined consumer, in document order', () => {
    const doc = [
      'spec:',
      '  defaultConfig:',
      '    globel_auth: true',
      '    token_ttl: 0',
      '    consumers:',
      '    - { name: a, client_id: id-a, client_secret: short }',
      '  matchRules:',
      '  - { ingress: [r], config: { allow: [ghost] } }',
    ].join('\n');
    expect(problems(doc)).toEqual([
      'spec.defaultConfig.globel_auth: unknown key',
      expect.stringMatching(/^spec\.defaultConfig\.token_ttl: /),
      expect.stringMatching(/^spec\.defaultConfig\.consumers\[0\]\.client_secret: must be at least 32 characters/),
      'spec.matchRules[0].config.allow[0]: consumer "ghost" is not defined in consumers',
    ]);
  });

  it('a consumer with a bad secret is still known to the rules (only the secret is reported)', () => {
    const doc = 'consumers:\n- { name: a, client_id: id-a, client_secret: short }\n_rules_:\n- { _match_route_: [r], allow: [a] }\n';
    expect(problems(doc)).toEqual([expect.stringMatching(/^consumers\[0\]\.client_secret: /)]);
  });

  it('every field of a consumer, every undefined consumer of a rule', () => {
    const doc = 'consumers:\n- { name: "a b", client_id: "x y", client_secret: short, extra: 1 }\n_rules_:\n- { _match_route_: [r], allow: [g1, g2] }\n';
    expect(problems(doc).map((p) => p.split(':')[0])).toEqual([
      'consumers[0].extra',
      'consumers[0].name',
      'consumers[0].client_id',
      'consumers[0].client_secret',
      '_rules_[0].allow[0]',
      '_rules_[0].allow[1]',
    ]);
  });

  it('lists at most 50 problems and says how many more there are', () => {
    const consumers = Array.from({ length: 80 }, (_, i) => `- { name: c${i}, client_id: id${i}, client_secret: short }`).join('\n');
    const list = problems(`consumers:\n${consumers}\n`);
    expect(list).toHaveLength(51);
    expect(list[50]).toBe('... and 30 more problems');
  });

  it('a document that is not a mapping stops at once (nothing else can be checked)', () => {
    expect(() => planApply('- a\n- b\n')).toThrow(/document: must be a mapping/);
  });
});
