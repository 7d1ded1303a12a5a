/** A tiny history router under /console/ (no dependency): paths only, never a secret or token in them. */
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

export const BASE = '/console';
const EVENT = 'console:navigate';

function subscribe(cb: () => void): () => void {
  window.addEventListener('popstate', cb);
  window.addEventListener(EVENT, cb);
  return () => {
    window.removeEventListener('popstate', cb);
    window.removeEventListener(EVENT, cb);
  };
}

const current = () => {
  const p = window.location.pathname;
  return p.startsWith(BASE + '/') ? p.slice(BASE.length) : '/';
};

/** The path below /console (e.g. "/consumers"). */
export function usePath(): string {
  return useSyncExternalStore(subscribe, current);
}

export function navigate(to: string, replace = false): void {
  const target = BASE + to;
  if (target === window.location.pathname) return;
  if (replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  window.dispatchEvent(new Event(EVENT));
}

export function Link({ to, children, ...rest }: { to: string; children: ReactNode } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={BASE + to} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
