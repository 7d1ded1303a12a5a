import { requestCounters } from './request-counters';

describe('requestCounters', () => {
  it('sums gateway_requests_total by route and outcome, across reasons and status classes', () => {
    const text = [
      '# HELP gateway_requests_total Requests',
      '# TYPE gateway_requests_total counter',
      'gateway_requests_total{route="r1",outcome="allowed",reason="pass",status_class="2xx"} 5',
      'gateway_requests_total{route="r1",outcome="allowed",reason="pass",status_class="5xx"} 2',
      'gateway_requests_total{route="r1",outcome="unauthorized",reason="no_token",status_class=""} 3',
      'gateway_requests_total{route="",outcome="token_issued",reason="authenticated",status_class=""} 1',
      'gateway_requests_total{route="a \\"q\\" \\\\ b",outcome="forbidden",reason="x",status_class=""} 4',
      'gateway_reloads_total{trigger="start"} 1',
      'gateway_requests_total{route="r2",outcome="allowed",reason="pass",status_class="2xx"} 0',
    ].join('\n');
    expect(requestCounters(text)).toEqual({
      r1: { allowed: 7, unauthorized: 3 },
      '': { token_issued: 1 },
      'a "q" \\ b': { forbidden: 4 },
    });
  });

  it('keeps a route named __proto__ as data (no prototype pollution)', () => {
    const c = requestCounters('gateway_requests_total{route="__proto__",outcome="polluted",reason="x",status_class=""} 1');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(c))).toEqual(JSON.parse('{"__proto__":{"polluted":1}}'));
  });

  it('is empty before any request', () => {
    expect(requestCounters('# HELP gateway_requests_total x\n# TYPE gateway_requests_total counter\n')).toEqual({});
  });
});
