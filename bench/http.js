// @ts-check
'use strict';
// A minimal keep-alive HTTP client for setup calls and tight polling: node:http with a pooled
// agent costs far less per request than fetch, so polling measures the gateway, not the client.
const http = require('node:http');
const https = require('node:https');

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
// The TLS scenarios' targets serve the bench's own throwaway certificate (bench/tls.js).
const tlsAgent = new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false });

/**
 * Resolves { status, headers, text, json } ; rejects on network error or timeout (one line).
 * @param {string} url
 * `fresh`: a new connection, not a pooled one (a pooled socket idle past the server's keep-alive
 * timeout can be closed under a long upload: EPIPE).
 * @param {{ method?: string, headers?: Record<string, string>, body?: unknown, timeoutMs?: number, fresh?: boolean }} [opts]
 */
function request(url, { method = 'GET', headers = {}, body = undefined, timeoutMs = 30000, fresh = false } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const h = { ...headers };
    if (payload !== undefined) {
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
      h['content-length'] = String(Buffer.byteLength(payload));
    }
    const tls = url.startsWith('https:');
    const req = (tls ? https : http).request(url, { method, headers: h, agent: fresh ? false : tls ? tlsAgent : agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url}: timed out after ${timeoutMs} ms`)));
    req.on('error', (e) => reject(new Error(`${method} ${url}: ${e.message}`)));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** A client for the admin API; any unexpected status throws one line naming the call. */
function adminClient(baseUrl, token) {
  const call = async (method, path, body, okStatuses = [200, 201], extraHeaders = {}) => {
    const res = await request(baseUrl + path, {
      method,
      body,
      headers: { authorization: `Bearer ${token}`, ...extraHeaders },
      timeoutMs: 120000,
    });
    if (!okStatuses.includes(res.status)) {
      throw new Error(`admin ${method} ${path} -> ${res.status} ${res.text.slice(0, 200)}`);
    }
    return res.json;
  };
  return {
    call,
    revision: async () => (await call('GET', '/v1/revision')).revision,
  };
}

/** Polls `fn` until it returns a truthy value; resolves that value, or throws after timeoutMs. */
async function waitFor(what, fn, timeoutMs = 30000, pauseMs = 20) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (${last.message})` : ''}`);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

module.exports = { request, adminClient, waitFor, agent };
