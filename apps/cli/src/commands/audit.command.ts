import type { Command } from 'commander';
import type { AuditEntryDto } from '@oauth2/contracts';
import type { Context } from '../context';
import { addListCommand } from './list';
import { auditTable } from '../output/views';

/** `oauth2ctl audit [--actor A] [--target T] [--action X]`: the audit log, newest first. */
export function addAuditCommand(program: Command, ctx: Context): void {
  addListCommand<AuditEntryDto, { actor?: string; target?: string; action?: string }>(program, ctx, {
    name: 'audit',
    description: 'the audit log, newest first: who changed what, when, and the revision it produced',
    options: (c) =>
      c
        .option('--actor <name>', 'only writes made with this admin token (root = the bootstrap token)')
        .option('--target <name>', 'only writes to this consumer, route, rule id, kid, ...')
        .option('--action <action>', 'only this action (consumer.delete), or a prefix ending in * (key.*)'),
    fetch: (c, page, o) => c.audit({ ...page, actor: o.actor, target: o.target, action: o.action }),
    table: auditTable,
  });
}
