import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { storePerTest } from '@oauth2/testing';
import { openStore } from './index';
import { consumerAad, legacyConsumerAad, legacySigningKeyAad, loadMasterKey, SecretBox, signingKeyAad } from './secret-box';

const SECRET = 'a-very-long-client-secret-of-at-least-32-chars';

describe('SecretBox: associated data domains', () => {
  const box = new SecretBox(randomBytes(32));

  it("a consumer named signing_key:<kid> does not share the key's AAD (it did in format 1)", () => {
    expect(legacyConsumerAad('signing_key:k1')).toBe(legacySigningKeyAad('k1')); // the old collision
    expect(consumerAad('signing_key:k1')).not.toBe(signingKeyAad('k1'));
    const sealedAsConsumer = box.seal('pem', consumerAad('signing_key:k1'));
    expect(() => box.open(sealedAsConsumer, signingKeyAad('k1'), 'signing key "k1"')).toThrow(/cannot decrypt the secret of signing key "k1"/);
    const sealedAsKey = box.seal(SECRET, signingKeyAad('k1'));
    expect(() => box.open(sealedAsKey, consumerAad('signing_key:k1'), 'consumer')).toThrow(/cannot decrypt/);
    expect(box.open(sealedAsKey, signingKeyAad('k1'), 'k')).toBe(SECRET);
  });

  it('a consumer row does not open under another name', () => {
    expect(() => box.open(box.seal(SECRET, consumerAad('a')), consumerAad('b'), 'consumer "b"')).toThrow(/cannot decrypt/);
  });
});

describe('store: format-1 rows are re-sealed under the domain AAD at open', () => {
  const ctx = storePerTest('oauth2-seal-', (dataDir) => openStore({ dataDir }));

  it('opens a database sealed with the old AAD, re-seals every row once, and keeps the secrets', async () => {
    await ctx.store.createConsumer({ name: 'signing_key:k1', client_id: 'id-1', client_secret: SECRET });
    await ctx.store.patchSettings({ signing_alg: 'ES256' });
    const keys = await ctx.store.listKeys();
    const kid = keys.find((k) => k.status === 'active')!.kid;
    const before = (await ctx.store.loadSnapshotSource()).keys!.find((k) => k.kid === kid)!.private_pem;
    await ctx.store.close();

    // Rewrite the rows as an older version left them: format 1 AAD, seal_version 1.
    const file = path.join(ctx.dir, 'oauth2.db');
    const box = new SecretBox(loadMasterKey(ctx.dir));
    const db = new Database(file);
    const c = db.prepare('SELECT "id", "name", "secret_enc" FROM "consumer"').get() as { id: number; name: string; secret_enc: Buffer };
    db.prepare('UPDATE "consumer" SET "secret_enc" = ? WHERE "id" = ?').run(box.seal(box.open(c.secret_enc, consumerAad(c.name), 'c'), legacyConsumerAad(c.name)), c.id);
    const k = db.prepare('SELECT "private_enc" FROM "signing_key" WHERE "kid" = ?').get(kid) as { private_enc: Buffer };
    db.prepare('UPDATE "signing_key" SET "private_enc" = ? WHERE "kid" = ?').run(box.seal(box.open(k.private_enc, signingKeyAad(kid), 'k'), legacySigningKeyAad(kid)), kid);
    db.prepare('UPDATE "revision" SET "seal_version" = 1').run();
    const revision = (db.prepare('SELECT "value" FROM "revision"').get() as { value: number }).value;
    db.close();

    ctx.store = await openStore({ dataDir: ctx.dir });
    const src = await ctx.store.loadSnapshotSource();
    expect(src.consumers.map((x) => [x.name, x.client_secret])).toEqual([['signing_key:k1', SECRET]]);
    expect(src.keys!.find((x) => x.kid === kid)!.private_pem).toBe(before);
    expect(await ctx.store.revision()).toBe(revision);
    const check = new Database(file, { readonly: true });
    expect((check.prepare('SELECT "seal_version" FROM "revision"').get() as { seal_version: number }).seal_version).toBe(2);
    const row = check.prepare('SELECT "secret_enc" FROM "consumer"').get() as { secret_enc: Buffer };
    check.close();
    expect(box.open(row.secret_enc, consumerAad('signing_key:k1'), 'c')).toBe(SECRET);
    expect(() => box.open(row.secret_enc, legacyConsumerAad('signing_key:k1'), 'c')).toThrow(/cannot decrypt/);
  });
});
