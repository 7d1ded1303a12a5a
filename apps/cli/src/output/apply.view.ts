import type { ApplyChangesDto, ApplyResultDto, RuleChangeDto } from '@oauth2/contracts';

const match = (r: RuleChangeDto): string => (r.routes ? `route:${r.routes.join(',')}` : `domain:${(r.domains ?? []).join(',')}`);
const allowText = (r: RuleChangeDto): string => {
  const parts = [
    ...(r.allow.length ? [`allow ${r.allow.join(',')}`] : []),
    ...(r.allow_groups?.length ? [`groups ${r.allow_groups.join(',')}`] : []),
    ...(r.scopes?.length ? [`scopes ${r.scopes.join(' ')}`] : []),
  ];
  return parts.length ? parts.join(' ') : 'allows nobody';
};
const valueText = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** The changes object as a short diff: `+` added, `-` removed, `~` changed (names and fields, never a secret). */
export function changesView(c: ApplyChangesDto, dryRun: boolean): string[] {
  const lines: string[] = [];
  for (const n of c.consumers.added) lines.push(`  + consumer ${n}`);
  for (const n of c.consumers.removed) lines.push(`  - consumer ${n}`);
  for (const x of c.consumers.changed) lines.push(`  ~ consumer ${x.name}: ${x.fields.join(', ')} changed`);
  for (const r of c.rules.added) lines.push(`  + rule #${r.position} ${match(r)} ${allowText(r)}`);
  for (const r of c.rules.removed) lines.push(`  - rule #${r.position} ${match(r)} ${allowText(r)}`);
  for (const r of c.rules.changed) lines.push(`  ~ rule ${match(r)}: ${(r.fields ?? []).join(', ')} changed (now #${r.position}, ${allowText(r)})`);
  for (const s of c.settings) lines.push(`  ~ setting ${s.key}: ${valueText(s.from)} -> ${valueText(s.to)}`);
  const title = dryRun ? 'would change' : 'changes';
  return lines.length ? [`${title}:`, ...lines] : [`${title}: none`];
}

/** The answer of `apply`: the revision it made (or that a dry run changed nothing), counts, what changes, warnings. */
export function applyView(r: ApplyResultDto, dryRun: boolean): string {
  const lines = [dryRun ? 'dry run: valid, nothing was changed' : `applied at revision ${r.revision}`, `consumers: ${r.applied?.consumers ?? 0}`, `rules: ${r.applied?.rules ?? 0}`];
  if (r.changes) lines.push(...changesView(r.changes, dryRun));
  for (const w of r.warnings ?? []) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
