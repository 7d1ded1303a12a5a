import { allRules, type StoreContext } from './context';
import { ConsumerEntity } from './entities';
import { REDACTED } from './apply-parse';
import { consumerAad } from './secret-box';
import { documentSettings, readSettings } from './settings';

/**
 * `/v1/export` (docs/admin-api.md): a Higress WasmPlugin document that `apply` takes back unchanged in meaning.
 * Secrets are included (it is a backup) unless `redact`, which shows `***` (apply keeps the stored
 * secret for `***`). Read in one transaction so the document is one consistent revision.
 */
export async function exportDocument(ctx: StoreContext, redact: boolean): Promise<Record<string, unknown>> {
  return ctx.db.read(async () => {
    const settings = documentSettings(await readSettings(ctx));
    const consumers = (await ctx.db.em.find(ConsumerEntity, { order: { name: 'ASC' } })).map((c) => ({
      name: c.name,
      client_id: c.client_id,
      client_secret: redact ? REDACTED : ctx.box.open(c.secret_enc, consumerAad(c.name), `consumer "${c.name}"`),
      // SPEC §8.5: written only when set, so a Higress-only configuration exports as Higress wrote it.
      ...(c.scopes !== null && c.scopes !== undefined ? { scopes: c.scopes } : {}),
      ...(c.groups?.length ? { groups: c.groups } : {}),
      // SPEC §13: only for a certificate-authenticated consumer, with the one field its method uses.
      ...(c.auth_method === 'tls_client_auth' ? { auth_method: c.auth_method, tls_subject: c.tls_subject } : {}),
      ...(c.auth_method === 'self_signed_tls_client_auth' ? { auth_method: c.auth_method, tls_thumbprint: c.tls_thumbprint } : {}),
    }));
    const matchRules = (await allRules(ctx)).map((r) => {
      const config = { allow: r.allow, ...(r.allow_groups?.length ? { allow_groups: r.allow_groups } : {}), ...(r.scopes?.length ? { scopes: r.scopes } : {}) };
      return r.routes ? { ingress: r.routes, config } : { domain: r.domains, config };
    });
    return {
      apiVersion: 'extensions.higress.io/v1alpha1',
      kind: 'WasmPlugin',
      metadata: { name: 'oauth2-gateway' },
      spec: {
        defaultConfig: { ...settings, consumers },
        matchRules,
      },
    };
  });
}
