/** The console's building blocks: one look for every page (header, error line, tables, dialogs, empty states). */
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type FormHTMLAttributes, type ReactNode } from 'react';
import { api, lineOf, type Query } from '../api/client';

/** The page's title, its lead paragraph and, for a role that may write, its one primary action ("New route"). */
export function PageHeader({ title, children, action }: { title: string; children?: ReactNode; action?: { label: string; onClick: () => void } | false }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {children && <p className="lead">{children}</p>}
      </div>
      {action && (
        <div className="actions">
          <button type="button" className="primary" onClick={action.onClick}>
            {action.label}
          </button>
        </div>
      )}
    </header>
  );
}

/** One line for an API failure; the space is kept while empty so nothing shifts when it appears. */
export function ErrorLine({ error }: { error: string | null }) {
  return (
    <p className={error ? 'error-line' : 'error-line empty'} role={error ? 'alert' : undefined} data-testid="error-line">
      {error ?? ''}
    </p>
  );
}

/** What a write just did, in one line. */
/**
 * A page's notice line. `after(reload, line)` clears the line, reloads the page's list and says `line`
 * once the answer is on screen (useLoad's reload), so a notice never speaks of a change the list does
 * not show yet.
 */
export function useNotice(): { line: string | null; set: (line: string | null) => void; after: (reload: () => Promise<void>, line?: string) => Promise<void> } {
  const [line, set] = useState<string | null>(null);
  const after = useCallback(async (reload: () => Promise<void>, next?: string) => {
    set(null);
    await reload();
    if (next !== undefined) set(next);
  }, []);
  return { line, set, after };
}

export function Notice({ text }: { text: string | null }) {
  return text ? (
    <p className="notice" role="status">
      {text}
    </p>
  ) : null;
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty" role="status">
      <p className="empty-title">{title}</p>
      {children && <p>{children}</p>}
    </div>
  );
}

export function Loading({ rows = 3 }: { rows?: number }) {
  return (
    <div className="loading" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton" />
      ))}
    </div>
  );
}

/**
 * Loads on mount and when `deps` change; `reload()` fetches again. Errors become one line. The promise
 * `reload()` returns settles once the answer is on screen (or its error line is), so a page can say
 * "Saved" only when the list already shows the change, and keep its controls busy until then: a
 * second move or edit is never made against the list as it was before the first.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | null; error: string | null; loading: boolean; reload: () => Promise<void> } {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  // Callers of reload() waiting for the next load to land; a load superseded before it lands hands them on.
  const waiting = useRef<(() => void)[]>([]);
  useEffect(() => {
    let live = true;
    const settle = waiting.current.splice(0);
    setState((s) => ({ ...s, loading: true }));
    const land = (next: { data: T | null; error: string | null; loading: boolean }) => {
      if (!live) return;
      setState(next);
      for (const done of settle.splice(0)) done();
    };
    load().then(
      (data) => land({ data, error: null, loading: false }),
      (e) => land({ data: null, error: lineOf(e), loading: false }),
    );
    return () => {
      live = false;
      waiting.current.push(...settle.splice(0));
    };
  }, [...deps, tick]);
  const reload = useCallback(
    () =>
      new Promise<void>((done) => {
        waiting.current.push(done);
        setTick((t) => t + 1);
      }),
    [],
  );
  return { ...state, reload };
}

/** useLoad, fetched again every `ms` while the page is open; the last answer stays on screen meanwhile (no shift). */
export function usePolled<T>(load: () => Promise<T>, ms = 5000) {
  const r = useLoad(load, []);
  const { reload } = r;
  useEffect(() => {
    const t = setInterval(reload, ms);
    return () => clearInterval(t);
  }, [reload, ms]);
  return r;
}

/** A form's submit with busy state and its error line. */
export function useAction(): { busy: boolean; error: string | null; run: (fn: () => Promise<void>) => Promise<void>; setError: (e: string | null) => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(lineOf(e));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, setError };
}

/** A <form> whose submit stays on the page (no navigation) and runs `onSubmit`. */
export function Form({ onSubmit, ...rest }: Omit<FormHTMLAttributes<HTMLFormElement>, 'onSubmit'> & { onSubmit: () => unknown }) {
  return (
    <form
      {...rest}
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
    />
  );
}

/** A row's red button for a write that takes no dialog (retire, lift): one at a time on the page, its failure on the page's error line. */
export function RowAction({ action, label, run }: { action: ReturnType<typeof useAction>; label: string; run: () => Promise<void> }) {
  return (
    <button type="button" className="small danger" disabled={action.busy} onClick={() => action.run(run)}>
      {label}
    </button>
  );
}

/**
 * A modal on the native <dialog>: focus moves in and is trapped, Escape closes, focus returns to
 * the opener. `onClose` runs however it closes, so a dialog can drop what it showed.
 */
export function Dialog({ title, onClose, children, footer, onSubmit, wide }: { title: string; onClose: () => void; children: ReactNode; footer: ReactNode; onSubmit?: () => unknown; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  // The content mounts once the dialog is open (before the first paint): an `autoFocus` inside it
  // then takes the focus; mounted into a closed dialog it would be lost to showModal's first control.
  const [open, setOpen] = useState(false);
  useLayoutEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    setOpen(true);
    return () => d?.close();
  }, []);
  const body = (
    <>
      <h2 id={titleId}>{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="dialog-footer">{footer}</div>
    </>
  );
  return (
    <dialog ref={ref} className={wide ? 'wide' : undefined} aria-labelledby={titleId} onClose={onClose} onCancel={(e) => (e.preventDefault(), onClose())}>
      {!open ? null : onSubmit ? <Form onSubmit={onSubmit}>{body}</Form> : body}
    </dialog>
  );
}

/**
 * A dialog that is one form: its fields, the one line the API refused it with ("Refused (400): ..."),
 * Cancel and one submit button. `submit` runs with that button disabled; what it throws is the line.
 */
export function FormDialog({
  title,
  label,
  onClose,
  submit,
  danger,
  disabled,
  error,
  focusCancel,
  children,
}: {
  title: string;
  /** The submit button's text. */
  label: ReactNode;
  onClose: () => void;
  submit: () => Promise<void>;
  /** A destructive submit: the red button. */
  danger?: boolean;
  /** Disables the submit button besides while it runs (e.g. until what it would change has loaded). */
  disabled?: boolean;
  /** The dialog's own failure (e.g. loading what it shows), when the submit has none. */
  error?: string | null;
  /** Cancel takes the focus, so Enter alone does not confirm. */
  focusCancel?: boolean;
  children: ReactNode;
}) {
  const act = useAction();
  return (
    <Dialog
      title={title}
      onClose={onClose}
      onSubmit={() => act.run(submit)}
      footer={
        <>
          <button type="button" onClick={onClose} autoFocus={focusCancel}>
            Cancel
          </button>
          <button type="submit" className={danger ? 'danger' : 'primary'} disabled={act.busy || disabled}>
            {label}
          </button>
        </>
      }
    >
      {children}
      <ErrorLine error={act.error ?? error ?? null} />
    </Dialog>
  );
}

/** "Delete X?" / "Revoke X?": what it does in words, Cancel focused, the red button confirms. */
export function ConfirmDialog(props: Omit<Parameters<typeof FormDialog>[0], 'danger' | 'focusCancel'>) {
  return <FormDialog {...props} danger focusCancel />;
}

/** A secret shown this once: the warning, the terms to copy (`<dt>`/`<dd>`), one button that closes it. */
export function ShownOnceDialog({ title, warning, onClose, children }: { title: string; warning: string; onClose: () => void; children: ReactNode }) {
  return (
    <Dialog
      title={title}
      onClose={onClose}
      footer={
        <button type="button" className="primary" onClick={onClose} autoFocus>
          I have copied it — close
        </button>
      }
    >
      <p className="warn">{warning}</p>
      <dl className="secret">{children}</dl>
    </Dialog>
  );
}

export function Field({ label, hint, children, htmlFor }: { label: string; hint?: ReactNode; children: ReactNode; htmlFor: string }) {
  return (
    <div className="field">
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {hint && <p className="hint">{hint}</p>}
    </div>
  );
}

/**
 * A list's body: a skeleton until the first answer, `empty` when it has no items (when given), else the
 * items. A reload keeps the last items on screen meanwhile (no shift).
 */
export function ListBody<T>({ items, loading, empty, children }: { items: T[] | null | undefined; loading: boolean; empty?: ReactNode; children: (items: T[]) => ReactNode }) {
  if (!items) return loading ? <Loading /> : null;
  return <>{items.length === 0 && empty !== undefined ? empty : children(items)}</>;
}

/** A column heading: its text, or its text and a class (`num` right-aligns). */
export type Column = string | { label: string; className: string };

/** A table of rows: the headings, an "Actions" heading last when `actions`; `busy` dims the rows while the next ones load. */
export function Table({ columns, actions, busy, testId, children }: { columns: Column[]; actions?: boolean; busy?: boolean; testId?: string; children: ReactNode }) {
  return (
    <div className={busy ? 'table-wrap refreshing' : 'table-wrap'} aria-busy={busy}>
      <table data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) =>
              typeof c === 'string' ? (
                <th key={c} scope="col">
                  {c}
                </th>
              ) : (
                <th key={c.label} scope="col" className={c.className}>
                  {c.label}
                </th>
              ),
            )}
            {actions && (
              <th scope="col" className="actions-col">
                Actions
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** A list page's table: ListBody (skeleton, `empty`) around a Table of the rows `children` renders. */
export function ListTable<T>({
  list,
  empty,
  children,
  ...table
}: { list: { data: { items: T[] } | null; loading: boolean }; empty?: ReactNode; children: (items: T[]) => ReactNode } & Omit<Parameters<typeof Table>[0], 'children'>) {
  return (
    <ListBody items={list.data?.items} loading={list.loading} empty={empty}>
      {(items) => <Table {...table}>{children(items)}</Table>}
    </ListBody>
  );
}

/** The rows of a list page: 50, as the API pages them (limit/offset in SQL). */
export const PAGE = 50;

/**
 * One page of a list the API pages, e.g. `usePaged<RoutePageDto>('/routes')`. `filter` goes into the
 * query; a new filter object (memoize it) starts on the first page in the same render, with no request
 * for the old offset. The answer keeps the offset it was asked for, so `pager` shows the range
 * of the rows on screen, not of the page still loading.
 */
export function usePaged<P extends { total: number }>(path: string, filter: Query = NO_FILTER) {
  const [at, setAt] = useState({ filter, offset: 0 });
  const offset = at.filter === filter ? at.offset : 0;
  const list = useLoad(async () => ({ ...(await api<P>('GET', path, { query: { limit: PAGE, offset, ...filter } })), offset }), [offset, filter]);
  const pager = list.data && <Pager offset={list.data.offset} limit={PAGE} total={list.data.total} onChange={(o) => setAt({ filter, offset: o })} />;
  return { ...list, pager };
}
const NO_FILTER: Query = {};

/** The offset of the page that holds row `index` (0-based), `limit` rows a page. */
export const pageStart = (index: number, limit = PAGE): number => Math.max(0, Math.floor(index / limit) * limit);

/** Offset pages: the API pages in SQL (limit/offset), so the last of 100,000 rows is one request like the first. */
export function Pager({ offset, limit, total, onChange }: { offset: number; limit: number; total: number; onChange: (offset: number) => void }) {
  if (total === 0) return null;
  const last = Math.min(offset + limit, total);
  const lastPage = pageStart(total - 1, limit);
  return (
    <nav className="pager" aria-label="Pagination">
      <span data-testid="pager-range">
        {(offset + 1).toLocaleString()}–{last.toLocaleString()} of {total.toLocaleString()}
      </span>
      <button type="button" disabled={offset === 0} onClick={() => onChange(0)} aria-label="First page">
        ⇤
      </button>
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        ← Previous
      </button>
      <button type="button" disabled={last >= total} onClick={() => onChange(offset + limit)}>
        Next →
      </button>
      <button type="button" disabled={last >= total} onClick={() => onChange(lastPage)} aria-label="Last page">
        ⇥
      </button>
    </nav>
  );
}

/** Copies to the clipboard; where the browser refuses, says so (the text stays selectable). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <button type="button" className="small" onClick={copy} aria-live="polite">
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy refused: select the text' : label}
    </button>
  );
}

/** Comma / whitespace separated input to a list. */
export const splitList = (s: string) => s.split(/[\s,]+/).filter(Boolean);

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** "4 s ago", "3 min ago", "2 h ago" (the exact time is the title). */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}
