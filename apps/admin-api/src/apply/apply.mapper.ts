import type { ApplyResultDto } from '@oauth2/contracts';
import type { ApplyResult } from '@oauth2/store';

export function toApplyResult(r: ApplyResult): ApplyResultDto {
  return { revision: r.revision, warnings: [...r.warnings], applied: { consumers: r.applied.consumers, rules: r.applied.rules }, changes: r.changes };
}
