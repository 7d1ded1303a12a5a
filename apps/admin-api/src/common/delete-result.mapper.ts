import type { DeleteResultDto } from '@oauth2/contracts';
import type { DeleteResult } from '@oauth2/store';

export function toDeleteResult(r: DeleteResult): DeleteResultDto {
  return { deleted: String(r.deleted), rules_updated: [...r.rules_updated], rules_deleted: [...r.rules_deleted], rules_emptied: [...r.rules_emptied] };
}
