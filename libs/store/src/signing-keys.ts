import { ASYMMETRIC_ALGS, isAsymmetricAlg, type AsymmetricAlg, type SigningAlg, type SigningKeyRecord } from '@oauth2/core';
import { generateSigningKey, publishedJwk } from '@oauth2/token';
import { change, now, type StoreContext } from './context';
import { signingKeyAad } from './secret-box';
import { conflict, invalid, notFound } from './errors';
import { readSettings, writeSettings } from './settings';
import { SigningKeyEntity } from './signing-key.entity';
import type { KeyView } from './store-api';

/**
 * Gateway signing keys (docs/signing-keys.md). Invariant kept by every write here: a key is `active` exactly
 * when `signing_alg` is not HS256, and its alg is `signing_alg`. A key that stops signing keeps
 * being published (and verified) until an operator retires it, which is refused until every token
 * it signed has expired: `token_ttl + clock_skew_seconds` after `rotated_at`.
 */

/** The private half is bound to its kid (AAD), so a sealed key cannot be moved to another row. */
const aad = signingKeyAad;

function retirableAt(k: SigningKeyEntity, ttl: number, skew: number): string | null {
  if (k.status !== 'inactive' || k.rotated_at === null) return null;
  return new Date(Date.parse(k.rotated_at) + (ttl + skew) * 1000).toISOString();
}

function view(k: SigningKeyEntity, ttl: number, skew: number): KeyView {
  const pub = JSON.parse(k.public_jwk) as Record<string, unknown>;
  return {
    kid: k.kid,
    alg: k.alg,
    status: k.status,
    public_jwk: publishedJwk({ kid: k.kid, alg: k.alg, public_jwk: pub }),
    created_at: k.created_at,
    rotated_at: k.rotated_at,
    retired_at: k.retired_at,
    retirable_at: retirableAt(k, ttl, skew),
  };
}

/** Inside a write transaction: the active key stops signing now and drops its private half. */
async function demoteActive(ctx: StoreContext): Promise<void> {
  await ctx.db.query(`UPDATE "signing_key" SET "status" = 'inactive', "rotated_at" = ?, "private_enc" = NULL WHERE "status" = 'active'`, [now()]);
}

/** Inside a write transaction: generates a key pair and stores it as the active key. */
async function addActive(ctx: StoreContext, alg: AsymmetricAlg): Promise<SigningKeyEntity> {
  const g = await generateSigningKey(alg);
  const row: SigningKeyEntity = {
    kid: g.kid,
    alg,
    status: 'active',
    public_jwk: JSON.stringify(g.public_jwk),
    private_enc: ctx.box.seal(g.private_pem, aad(g.kid)),
    created_at: now(),
    rotated_at: null,
    retired_at: null,
  };
  await ctx.db.em.insert(SigningKeyEntity, row);
  return row;
}

/**
 * Inside the write transaction that sets `signing_alg` (PATCH /v1/settings, /v1/apply): an
 * asymmetric alg without an active key of that alg gets one (the previous active key, if any, stops
 * signing); HS256 demotes the active key (nothing signs with it any more, so it becomes retirable).
 */
export async function syncSigningKeys(ctx: StoreContext, alg: SigningAlg): Promise<void> {
  const rows = await ctx.db.query<{ alg: string }[]>(`SELECT "alg" FROM "signing_key" WHERE "status" = 'active'`);
  const active = rows[0]?.alg;
  if (isAsymmetricAlg(alg)) {
    if (active === alg) return;
    if (active !== undefined) await demoteActive(ctx);
    await addActive(ctx, alg);
  } else if (active !== undefined) {
    await demoteActive(ctx);
  }
}

/** Every key (retired ones too, for the record), newest first. */
export function listKeys(ctx: StoreContext): Promise<KeyView[]> {
  return ctx.db.read(async () => {
    const s = await readSettings(ctx);
    const rows = await ctx.db.em.find(SigningKeyEntity, { order: { created_at: 'DESC', kid: 'ASC' } });
    return rows.map((k) => view(k, s.token_ttl, s.clock_skew_seconds));
  });
}

/**
 * A new active key of `alg` (default: the current signing_alg); the previous active key stops
 * signing and stays published. An alg other than signing_alg also switches signing_alg to it, so
 * the setting always names what the gateway signs with.
 */
export function rotateKey(ctx: StoreContext, alg?: string): Promise<KeyView> {
  if (alg !== undefined && !isAsymmetricAlg(alg)) invalid('alg', `must be one of ${ASYMMETRIC_ALGS.join(', ')}`);
  return change(ctx, async () => {
    const s = await readSettings(ctx);
    const target = alg ?? s.signing_alg;
    if (!isAsymmetricAlg(target)) {
      invalid('alg', `signing_alg is HS256 (tokens are signed with each client secret, there is no key to rotate): give alg one of ${ASYMMETRIC_ALGS.join(', ')}, or set signing_alg`);
    }
    await demoteActive(ctx);
    const k = await addActive(ctx, target);
    if (s.signing_alg !== target) await writeSettings(ctx, { ...s, signing_alg: target });
    return view(k, s.token_ttl, s.clock_skew_seconds);
  });
}

/**
 * Retires a key that no longer signs: it leaves the JWKS and the gateway's verification. Refused
 * (409) for the active key, and until `token_ttl + clock_skew_seconds` after it stopped signing
 * (the message names that time). Retiring a retired key answers it unchanged.
 */
export function retireKey(ctx: StoreContext, kid: string): Promise<KeyView> {
  return change(ctx, async () => {
    const s = await readSettings(ctx);
    const k = await ctx.db.em.findOne(SigningKeyEntity, { where: { kid } });
    if (k === null) notFound('kid', `signing key ${JSON.stringify(kid)} not found`);
    if (k.status === 'retired') return view(k, s.token_ttl, s.clock_skew_seconds);
    if (k.status === 'active') conflict('kid', `${kid} is the active signing key; rotate first (a new key takes over), or set signing_alg=HS256`);
    const at = retirableAt(k, s.token_ttl, s.clock_skew_seconds)!;
    if (Date.now() < Date.parse(at)) {
      conflict('kid', `${kid} can be retired from ${at} (token_ttl + clock_skew_seconds after it stopped signing at ${k.rotated_at}): tokens it signed may still be valid until then`);
    }
    k.status = 'retired';
    k.retired_at = now();
    await ctx.db.em.update(SigningKeyEntity, { kid }, { status: k.status, retired_at: k.retired_at });
    return view(k, s.token_ttl, s.clock_skew_seconds);
  });
}

/** For the gateway's snapshot (inside its read transaction): every non-retired key, the active one with its private half. */
export async function loadSigningKeys(ctx: StoreContext): Promise<SigningKeyRecord[]> {
  type Row = { kid: string; alg: AsymmetricAlg; status: string; public_jwk: string; private_enc: Buffer | null };
  const rows = await ctx.db.query<Row[]>(`SELECT "kid", "alg", "status", "public_jwk", "private_enc" FROM "signing_key" WHERE "status" <> 'retired' ORDER BY "created_at" ASC, "kid" ASC`);
  return rows.map((r) => {
    const rec: SigningKeyRecord = { kid: r.kid, alg: r.alg, public_jwk: JSON.parse(r.public_jwk) as Record<string, unknown>, active: r.status === 'active' };
    if (rec.active && r.private_enc !== null) rec.private_pem = ctx.box.open(r.private_enc, aad(r.kid), `signing key "${r.kid}"`);
    return rec;
  });
}
