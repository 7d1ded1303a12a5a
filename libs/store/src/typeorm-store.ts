import type { RouteRecord, Settings, SnapshotDelta, SnapshotSource } from '@oauth2/core';
import * as adminTokens from './admin-tokens';
import { applyDocument } from './apply';
import * as audit from './audit';
import { currentRevision, type StoreContext } from './context';
import * as consumers from './consumers';
import { exportDocument } from './export';
import * as routes from './routes';
import * as nodes from './nodes';
import * as rules from './rules';
import * as revocations from './revocations';
import * as settings from './settings';
import * as signingKeys from './signing-keys';
import { listenRevisions } from './pg-listen';
import { MAX_DELTA_KEYS, SnapshotLoader } from './snapshot-load';
import type {
  AdminTokenView,
  AdminTokenWithSecret,
  AuditQuery,
  AuditView,
  ApplyResult,
  ConfigStore,
  ConsumerInput,
  ConsumerPatch,
  ConsumerView,
  ConsumerWithSecret,
  DeleteResult,
  Page,
  RevocationInput,
  RevocationView,
  RouteView,
  RuleInput,
  RuleView,
  KeyView,
  NodeHeartbeat,
  NodeView,
} from './store-api';

type RouteCreate = Omit<RouteRecord, 'hosts' | 'path_prefix' | 'strip_prefix'> & Partial<RouteRecord>;
type RouteReplace = Omit<RouteRecord, 'name' | 'hosts' | 'path_prefix' | 'strip_prefix'> & Partial<RouteRecord>;

/**
 * The typeorm-backed ConfigStore (SQLite, or PostgreSQL when opened with a URL); each method is one
 * serialized (read or write) transaction.
 */
export class TypeormConfigStore implements ConfigStore {
  private closed = false;
  private readonly loader: SnapshotLoader;
  private readonly unwatch = new Set<() => void>();
  /** PostgreSQL only: LISTEN/NOTIFY change signals (store-api.ts). */
  readonly watchRevisions?: ConfigStore['watchRevisions'];

  constructor(
    private readonly ctx: StoreContext,
    postgresUrl?: string,
  ) {
    this.loader = new SnapshotLoader(ctx);
    if (postgresUrl !== undefined) {
      this.watchRevisions = (onChange, onStatus) => {
        const stop = listenRevisions(postgresUrl, onChange, onStatus);
        const off = () => {
          this.unwatch.delete(off);
          stop();
        };
        this.unwatch.add(off);
        return off;
      };
    }
  }

  /** One single-row read: the gateway polls this every GATEWAY_RELOAD_MS. */
  revision(): Promise<number> {
    return this.ctx.db.exclusive(() => currentRevision(this.ctx));
  }

  loadSnapshotSource(opts?: { sealed?: boolean }): Promise<SnapshotSource> {
    return this.loader.load(opts?.sealed === true);
  }
  loadSnapshotDelta(since: number, opts?: { sealed?: boolean }): Promise<SnapshotDelta | null> {
    return this.loader.loadChanges(since, MAX_DELTA_KEYS, opts?.sealed === true);
  }

  getSettings(): Promise<Settings> {
    return settings.getSettings(this.ctx);
  }
  patchSettings(patch: Partial<Settings>): Promise<Settings> {
    return settings.patchSettings(this.ctx, patch);
  }

  createConsumer(input: ConsumerInput): Promise<ConsumerWithSecret> {
    return consumers.createConsumer(this.ctx, input);
  }
  listConsumers(limit: number, offset: number, search?: string, group?: string): Promise<Page<ConsumerView>> {
    return consumers.listConsumers(this.ctx, limit, offset, search, group);
  }
  updateConsumer(name: string, patch: ConsumerPatch): Promise<ConsumerView> {
    return consumers.updateConsumer(this.ctx, name, patch);
  }
  getConsumer(name: string): Promise<ConsumerView> {
    return consumers.getConsumer(this.ctx, name);
  }
  deleteConsumer(name: string, force: boolean): Promise<DeleteResult> {
    return consumers.deleteConsumer(this.ctx, name, force);
  }
  rotateSecret(name: string, clientSecret?: string, graceSeconds?: number): Promise<ConsumerWithSecret> {
    return consumers.rotateSecret(this.ctx, name, clientSecret, graceSeconds);
  }

  createRoute(input: RouteCreate): Promise<RouteView> {
    return routes.createRoute(this.ctx, input);
  }
  listRoutes(limit: number, offset: number): Promise<Page<RouteView>> {
    return routes.listRoutes(this.ctx, limit, offset);
  }
  getRoute(name: string): Promise<RouteView> {
    return routes.getRoute(this.ctx, name);
  }
  replaceRoute(name: string, input: RouteReplace): Promise<RouteView> {
    return routes.replaceRoute(this.ctx, name, input);
  }
  deleteRoute(name: string, force: boolean): Promise<DeleteResult> {
    return routes.deleteRoute(this.ctx, name, force);
  }

  createRule(input: RuleInput): Promise<RuleView> {
    return rules.createRule(this.ctx, input);
  }
  listRules(limit: number, offset: number): Promise<Page<RuleView>> {
    return rules.listRules(this.ctx, limit, offset);
  }
  getRule(id: number): Promise<RuleView> {
    return rules.getRule(this.ctx, id);
  }
  replaceRule(id: number, input: RuleInput): Promise<RuleView> {
    return rules.replaceRule(this.ctx, id, input);
  }
  deleteRule(id: number): Promise<DeleteResult> {
    return rules.deleteRule(this.ctx, id);
  }

  apply(text: string, opts: { dryRun: boolean }): Promise<ApplyResult> {
    return applyDocument(this.ctx, text, opts.dryRun);
  }
  exportConfig(opts: { redact: boolean }): Promise<Record<string, unknown>> {
    return exportDocument(this.ctx, opts.redact);
  }

  revoke(input: RevocationInput): Promise<RevocationView> {
    return revocations.revoke(this.ctx, input);
  }
  revokeJti(jti: string, exp: number, clientId: string): Promise<RevocationView> {
    return revocations.revokeClientJti(this.ctx, jti, exp, clientId);
  }
  listRevocations(limit: number, offset: number): Promise<Page<RevocationView>> {
    return revocations.listRevocations(this.ctx, limit, offset);
  }
  deleteRevocation(id: number): Promise<DeleteResult> {
    return revocations.deleteRevocation(this.ctx, id);
  }

  listKeys(): Promise<KeyView[]> {
    return signingKeys.listKeys(this.ctx);
  }
  rotateKey(alg?: string): Promise<KeyView> {
    return signingKeys.rotateKey(this.ctx, alg);
  }
  retireKey(kid: string): Promise<KeyView> {
    return signingKeys.retireKey(this.ctx, kid);
  }

  heartbeat(node: NodeHeartbeat): Promise<void> {
    return nodes.writeHeartbeat(this.ctx, node);
  }
  listNodes(): Promise<Page<NodeView>> {
    return nodes.listNodes(this.ctx);
  }
  createAdminToken(input: { name: string; role: string; expires_in?: number }): Promise<AdminTokenWithSecret> {
    return adminTokens.createAdminToken(this.ctx, input);
  }
  listAdminTokens(): Promise<AdminTokenView[]> {
    return adminTokens.listAdminTokens(this.ctx);
  }
  deleteAdminToken(name: string): Promise<{ deleted: string }> {
    return adminTokens.deleteAdminToken(this.ctx, name);
  }
  findAdminToken(tokenHash: string): Promise<(AdminTokenView & { token_hash: string }) | null> {
    return adminTokens.findAdminToken(this.ctx, tokenHash);
  }
  touchAdminToken(name: string, at: string): Promise<void> {
    return adminTokens.touchAdminToken(this.ctx, name, at);
  }

  listAudit(q: AuditQuery): Promise<Page<AuditView>> {
    return audit.listAudit(this.ctx, q);
  }
  pruneAudit(before: string): Promise<number> {
    return audit.pruneAudit(this.ctx, before);
  }

  /** Waits for queued work, then closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const off of [...this.unwatch]) off();
    await this.ctx.db.exclusive(async () => {
      if (this.ctx.db.ds.isInitialized) await this.ctx.db.ds.destroy();
    });
  }
}
