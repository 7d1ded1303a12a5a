// @ts-check
'use strict';
// A throwaway server certificate for the TLS scenarios (127.0.0.1 / localhost, P-256, one day),
// made with the openssl CLI in a temp dir that the bench deletes at exit. The load generators do
// not verify it; our gateway and HAProxy serve the same pair.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { trackTempDir } = require('./procs');

/** @returns {{ cert: string, key: string }} PEM file paths */
function makeBenchCert() {
  const dir = trackTempDir(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-tls-')));
  const cert = path.join(dir, 'server.crt');
  const key = path.join(dir, 'server.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { cert, key };
}

module.exports = { makeBenchCert };
