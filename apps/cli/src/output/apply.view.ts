import type { ApplyResultDto } from '@oauth2/contracts';

/** The answer of `apply`: the revision it made (or that a dry run changed nothing), counts, warnings. */
export function applyView(r: ApplyResultDto, dryRun: boolean): string {
  const lines = [dryRun ? 'dry run: valid, nothing was changed' : `applied at revision ${r.revision}`, `consumers: ${r.applied?.consumers ?? 0}`, `rules: ${r.applied?.rules ?? 0}`];
  for (const w of r.warnings ?? []) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
