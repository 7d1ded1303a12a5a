import { checkSetting, checkSettings, DEFAULT_SETTINGS, parseSettingText, SETTING_KEYS, SETTINGS_SCHEMA, settingSpec, type SettingSpec } from './settings';
import { ASYMMETRIC_ALGS, isAsymmetricAlg, SIGNING_ALGS } from './signing-alg';

describe('settings (the Higress names and defaults)', () => {
  it('has the Higress names and defaults', () => {
    expect(DEFAULT_SETTINGS).toEqual({
      issuer: 'Higress-Gateway',
      auth_path: '/oauth2/token',
      global_credentials: true,
      auth_header_name: 'Authorization',
      token_ttl: 7200,
      clock_skew_seconds: 60,
      keep_token: true,
      global_auth: null,
      signing_alg: 'HS256',
      public_base_url: '',
      cors_preflight: 'authenticate',
      require_https: false,
    });
    expect(Object.isFrozen(DEFAULT_SETTINGS)).toBe(true);
    expect(SETTING_KEYS).toHaveLength(12);
  });

  it.each(SETTING_KEYS)('the default of %s is valid', (key) => {
    expect(checkSetting(key, DEFAULT_SETTINGS[key])).toBeNull();
  });

  describe('checkSetting', () => {
    it.each<[string, unknown]>([
      ['issuer', 'my-gateway'],
      ['issuer', 'x'.repeat(1024)],
      ['auth_path', '/'],
      ['auth_path', '/api/token'],
      ['auth_header_name', 'X-Token'],
      ['auth_header_name', 'authorization'],
      ['token_ttl', 1],
      ['token_ttl', 86400 * 365],
      ['clock_skew_seconds', 0],
      ['clock_skew_seconds', 3153600000],
      ['global_credentials', false],
      ['keep_token', false],
      ['global_auth', true],
      ['global_auth', false],
      ['global_auth', null],
      ['signing_alg', 'HS256'],
      ['signing_alg', 'RS256'],
      ['signing_alg', 'ES256'],
      ['signing_alg', 'EdDSA'],
    ])('accepts %s = %j', (key, value) => {
      expect(checkSetting(key, value)).toBeNull();
    });

    it.each<[string, unknown]>([
      ['issuer', ''],
      ['issuer', 'x'.repeat(1025)],
      ['issuer', 1],
      ['auth_path', 'oauth2/token'],
      ['auth_path', '/token?x=1'],
      ['auth_path', '/tok en'],
      ['auth_path', '/token#x'],
      ['auth_header_name', ''],
      ['auth_header_name', 'X Token'],
      ['auth_header_name', 'X:Token'],
      ['token_ttl', 0],
      ['token_ttl', -1],
      ['token_ttl', 1.5],
      ['token_ttl', '7200'],
      ['token_ttl', Number.MAX_SAFE_INTEGER + 1],
      ['clock_skew_seconds', -1],
      ['clock_skew_seconds', NaN],
      ['global_credentials', 'true'],
      ['keep_token', 1],
      ['global_auth', 'unset'],
      ['global_auth', undefined],
      ['signing_alg', 'none'],
      ['signing_alg', 'rs256'],
      ['signing_alg', 'HS512'],
      ['signing_alg', null],
    ])('refuses %s = %j, naming the key', (key, value) => {
      expect(checkSetting(key, value)).toContain(key);
    });

    it('refuses an unknown key by name', () => {
      expect(checkSetting('auth_header', 'Authorization')).toBe('unknown setting "auth_header"');
    });

    it('checkSettings reports every problem', () => {
      expect(checkSettings({ token_ttl: 0, keep_token: 'no', issuer: 'ok' })).toHaveLength(2);
      expect(checkSettings({})).toEqual([]);
    });
  });

  describe('parseSettingText', () => {
    it.each<[string, string, unknown]>([
      ['token_ttl', '3600', 3600],
      ['clock_skew_seconds', '0', 0],
      ['clock_skew_seconds', '3153600000', 3153600000],
      ['keep_token', 'false', false],
      ['global_credentials', 'true', true],
      ['global_auth', 'true', true],
      ['global_auth', 'false', false],
      ['global_auth', 'unset', null],
      ['global_auth', 'null', null],
      ['issuer', 'my gateway', 'my gateway'],
      ['auth_path', '/token', '/token'],
      ['auth_header_name', 'X-Token', 'X-Token'],
      ['signing_alg', 'ES256', 'ES256'],
    ])('%s=%s -> %j', (key, text, value) => {
      expect(parseSettingText(key, text)).toBe(value);
    });

    it.each<[string, string]>([
      ['token_ttl', '0'],
      ['token_ttl', '-5'],
      ['token_ttl', '1e3'],
      ['token_ttl', ' 60'],
      ['token_ttl', '3.5'],
      ['token_ttl', ''],
      ['token_ttl', '99999999999999999999'],
      ['keep_token', 'yes'],
      ['global_auth', 'maybe'],
      ['signing_alg', 'PS256'],
      ['issuer', ''],
      ['nope', 'x'],
    ])('%s=%s throws one line naming the key', (key, text) => {
      expect(() => parseSettingText(key, text)).toThrow(new RegExp(key));
      try {
        parseSettingText(key, text);
      } catch (e) {
        expect((e as Error).message).not.toContain('\n');
      }
    });
  });

  // The schema is the one definition everything else is derived from; an entry that lacks a part
  // would leave a hole in the OpenAPI document, `settings set --help` or the store's round trip.
  describe('schema entries', () => {
    const entries = Object.entries(SETTINGS_SCHEMA) as [string, SettingSpec][];

    it.each(entries)('%s has a one-line help text', (_key, spec) => {
      expect(typeof spec.help).toBe('string');
      expect(spec.help.trim().length).toBeGreaterThan(10);
      expect(spec.help).not.toMatch(/[\r\n]/);
    });

    it.each(entries)('%s has a default that passes its own check', (key, spec) => {
      expect(Object.hasOwn(spec, 'default')).toBe(true);
      expect(spec.default).not.toBeUndefined();
      expect(checkSetting(key, spec.default)).toBeNull();
      if (spec.default === null) expect(spec.nullable).toBe(true);
    });

    it.each(entries)('%s has a valid example other than its default', (key, spec) => {
      expect(checkSetting(key, spec.example)).toBeNull();
      expect(spec.example).not.toEqual(spec.default);
    });

    it.each(entries)('%s: its Higress name and aliases do not collide with another key', (key, spec) => {
      const others = entries.filter(([k]) => k !== key).flatMap(([k, s]) => [k, s.higress ?? k, ...Object.keys(s.aliases ?? {})]);
      for (const name of [spec.higress ?? key, ...Object.keys(spec.aliases ?? {})]) expect(others).not.toContain(name);
    });

    it('cannot be changed at run time', () => {
      expect(Object.isFrozen(SETTINGS_SCHEMA)).toBe(true);
      for (const [, spec] of entries) expect(Object.isFrozen(spec)).toBe(true);
    });

    it('finds no entry for names that are not settings', () => {
      for (const k of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'auth_header']) expect(settingSpec(k)).toBeUndefined();
    });
  });

  describe('signing algorithms', () => {
    it('are one list: HS256 (client secret) and the key-pair ones', () => {
      expect(SIGNING_ALGS).toEqual(['HS256', ...ASYMMETRIC_ALGS]);
      expect(SETTINGS_SCHEMA.signing_alg.values).toBe(SIGNING_ALGS);
      expect(SIGNING_ALGS.filter(isAsymmetricAlg)).toEqual(ASYMMETRIC_ALGS);
      expect(isAsymmetricAlg('HS256')).toBe(false);
      expect(isAsymmetricAlg('none')).toBe(false);
    });
  });
});

describe('public_base_url (not a Higress key)', () => {
  it.each(['', 'https://auth.example.com', 'https://auth.example.com/', 'http://127.0.0.1:8000', 'https://example.com/gw', 'https://[::1]:8443'])('accepts %j', (v) => {
    expect(checkSetting('public_base_url', v)).toBeNull();
    expect(parseSettingText('public_base_url', v)).toBe(v);
  });
  it.each<unknown>(['auth.example.com', 'ftp://x', 'https://x/?a=1', 'https://x/#f', 'https://u:p@x', 'https://a b', 'https://' + 'a'.repeat(1024), null, 1, 'javascript:alert(1)', '/relative'])(
    'refuses %j',
    (v) => {
      expect(checkSetting('public_base_url', v)).toMatch(/^public_base_url must be an absolute http\(s\) URL/);
    },
  );
});
