import { parseDocument } from 'yaml';
import { hasDuplicateKey, readJsonDocument } from './apply-read';
import { parseText } from './apply-parse';

describe('apply-read: the JSON fast path of /v1/apply', () => {
  it('finds a repeated key at any depth, compared decoded, and none where keys only look alike', () => {
    expect(hasDuplicateKey('{"a":1,"b":{"c":1,"c":2}}')).toBe(true);
    expect(hasDuplicateKey('{"a":1,"\\u0061":2}')).toBe(true);
    expect(hasDuplicateKey('[{"a":1},{"a":2},["a","a"]]')).toBe(false);
    expect(hasDuplicateKey('{"a":"a","b":["a",{"a":"}"}],"c":"\\"a\\""}')).toBe(false);
    expect(hasDuplicateKey('{"x":{},"y":{"x":1},"x ":2}')).toBe(false);
    const many = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`);
    expect(hasDuplicateKey(`{${many.join(',')}}`)).toBe(false);
    expect(hasDuplicateKey(`{${many.join(',')},"k3":0}`)).toBe(true);
  });

  it('gives the same values as the YAML parser for JSON, and leaves everything else to it', () => {
    const doc = { spec: { defaultConfig: { consumers: [{ name: 'a', client_id: 'é\u2028"x"', client_secret: 's' }], token_ttl: 7200 }, matchRules: [] }, n: [1.5, -2e3, null, true] };
    const text = JSON.stringify(doc, null, 2);
    expect(readJsonDocument(text)?.value).toEqual(parseDocument(text).toJS());
    expect(readJsonDocument('\ufeff  {"a":1}')?.value).toEqual({ a: 1 });
    expect(readJsonDocument('a: 1')).toBeUndefined();
    expect(readJsonDocument('{a: 1}')).toBeUndefined(); // YAML flow mapping, not JSON
    expect(readJsonDocument('{"a":1,"a":2}')).toBeUndefined();
    expect(readJsonDocument('{"a":1')).toBeUndefined();
  });

  it('a JSON document with a repeated key is refused with the YAML error, as before the fast path', () => {
    expect(() => parseText('{\n"token_ttl": 1,\n"token_ttl": 2\n}')).toThrow(/^document: YAML syntax error: Map keys must be unique at line 3/);
    expect(() => parseText('{"a": [1, 2}')).toThrow(/^document: YAML syntax error: .*line 1/);
    expect(parseText('{"a": {"b": [1]}}')).toEqual({ a: { b: [1] } });
  });
});
