import type { ReactNode } from 'react';
import { api, seg } from '../api/client';
import type { DeleteResultDto, RuleDto } from '../api/types';
import { ConfirmDialog, Loading, useLoad } from '../ui/ui';
import { ruleSummary, rulesUsing } from './rules-using';

/**
 * Deleting what policies name (a consumer in their allow lists, a route in their routes): lists the
 * policies the delete changes first, then deletes with force=true, so the store takes it out of each.
 */
export function DeleteNamedDialog({
  what,
  name,
  lead,
  named,
  mark,
  after,
  onClose,
  onDeleted,
}: {
  /** A consumer (policies name it in their allow lists) or a route (in their routes). */
  what: 'consumer' | 'route';
  name: string;
  /** What the delete does, in a paragraph. */
  lead: ReactNode;
  /** The line above the list of the policies it changes. */
  named: string;
  /** What becomes of one policy, after its summary. */
  mark: (r: RuleDto) => ReactNode;
  /** Said below that list. */
  after?: (rules: RuleDto[]) => ReactNode;
  onClose: () => void;
  onDeleted: (r: DeleteResultDto) => void;
}) {
  const rules = useLoad<RuleDto[]>(() => rulesUsing(what === 'consumer' ? 'allow' : 'routes', name), [what, name]);
  const n = rules.data?.length ?? 0;
  const remove = async () => onDeleted(await api<DeleteResultDto>('DELETE', `/${what}s/${seg(name)}`, { query: n > 0 ? { force: true } : undefined }));
  return (
    <ConfirmDialog
      title={`Delete ${what} ${name}?`}
      label={n ? `Delete and change ${n} rule${n > 1 ? 's' : ''}` : 'Delete'}
      onClose={onClose}
      submit={remove}
      disabled={rules.loading || rules.error !== null}
      error={rules.error}
    >
      <p>{lead}</p>
      {rules.loading ? (
        <Loading rows={1} />
      ) : n ? (
        <div data-testid="delete-rules">
          <p>{named}</p>
          <ul>
            {rules.data!.map((r) => (
              <li key={r.id}>
                {ruleSummary(r)}
                {mark(r)}
              </li>
            ))}
          </ul>
          {after?.(rules.data!)}
        </div>
      ) : (
        !rules.error && <p>No policy names it.</p>
      )}
    </ConfirmDialog>
  );
}

/** The notice after such a delete: "Deleted route x; rules #3 updated, #4 now allows nobody." */
export function deletedLine(what: string, d: DeleteResultDto): string {
  const changed = [...d.rules_updated.map((id) => `#${id} updated`), ...d.rules_deleted.map((id) => `#${id} deleted`), ...(d.rules_emptied ?? []).map((id) => `#${id} now allows nobody`)];
  return `Deleted ${what}${d.deleted}${changed.length ? `; rules ${changed.join(', ')}` : ''}.`;
}
