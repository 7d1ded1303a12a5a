import { useEffect, useState, type ComponentType } from 'react';
import { api, onUnauthorized, WROTE } from './api/client';
import type { RevisionDto } from './api/types';
import { ConsumersPage } from './pages/ConsumersPage';
import { ExplainPage } from './pages/ExplainPage';
import { ExportPage } from './pages/ExportPage';
import { ImportPage } from './pages/ImportPage';
import { KeysPage } from './pages/KeysPage';
import { PoliciesPage } from './pages/PoliciesPage';
import { RevocationsPage } from './pages/RevocationsPage';
import { RoutesPage } from './pages/RoutesPage';
import { SettingsPage } from './pages/SettingsPage';
import { SignInPage } from './pages/SignInPage';
import { Link, navigate, usePath } from './router';
import { clearToken, getToken } from './session';
import { Empty, PageHeader } from './ui/ui';

interface Page {
  path: string;
  label: string;
  component: ComponentType;
}

/** The navigation: a new page (audit log, nodes, dashboard) is one entry in one of these groups. */
const NAV: { group: string; pages: Page[] }[] = [
  {
    group: 'Access',
    pages: [
      { path: '/consumers', label: 'Consumers', component: ConsumersPage },
      { path: '/routes', label: 'Routes', component: RoutesPage },
      { path: '/policies', label: 'Policies', component: PoliciesPage },
    ],
  },
  {
    group: 'Tokens',
    pages: [
      { path: '/explain', label: 'Explain', component: ExplainPage },
      { path: '/keys', label: 'Signing keys', component: KeysPage },
      { path: '/revocations', label: 'Revocations', component: RevocationsPage },
    ],
  },
  {
    group: 'Configuration',
    pages: [
      { path: '/settings', label: 'Settings', component: SettingsPage },
      { path: '/import', label: 'Import', component: ImportPage },
      { path: '/export', label: 'Export', component: ExportPage },
    ],
  },
];
const PAGES = NAV.flatMap((g) => g.pages);
const HOME = '/consumers';

function NotFound() {
  return (
    <>
      <PageHeader title="No such page" />
      <Empty title="This console has no page at this address.">
        Pick one on the left, or go to <Link to={HOME}>Consumers</Link>.
      </Empty>
    </>
  );
}

export function App() {
  const path = usePath();
  const [signedIn, setSignedIn] = useState(() => getToken() !== null);
  const [reason, setReason] = useState<string | null>(null);
  const [revision, setRevision] = useState<number | null>(null);

  useEffect(() => {
    onUnauthorized((line) => {
      setReason(`${line}. Sign in again.`);
      setSignedIn(false);
    });
  }, []);
  useEffect(() => {
    if (path === '/' || path === '') navigate(HOME, true);
  }, [path]);
  useEffect(() => {
    if (!signedIn) return;
    let live = true;
    const refresh = () =>
      api<RevisionDto>('GET', '/revision').then(
        (r) => live && setRevision(r.revision),
        () => undefined,
      );
    void refresh();
    window.addEventListener(WROTE, refresh);
    return () => {
      live = false;
      window.removeEventListener(WROTE, refresh);
    };
  }, [signedIn, path]);

  const page = PAGES.find((p) => p.path === path);
  useTitle(signedIn ? page?.label : 'Sign in');

  if (!signedIn)
    return (
      <SignInPage
        reason={reason}
        onSignedIn={() => {
          setReason(null);
          setSignedIn(true);
        }}
      />
    );

  const Current = page?.component ?? NotFound;
  const signOut = () => {
    clearToken();
    setReason('Signed out.');
    setSignedIn(false);
  };
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={HOME} className="brand">
          <span className="logo" aria-hidden="true" /> oauth2-gateway
        </Link>
        <span className="revision" title="Store revision: bumped by every write">
          {revision === null ? '' : `revision ${revision}`}
        </span>
        <button type="button" className="small" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav className="sidebar" aria-label="Pages">
        {NAV.map((g) => (
          <div key={g.group} className="nav-group">
            <p className="nav-title">{g.group}</p>
            <ul>
              {g.pages.map((p) => (
                <li key={p.path}>
                  <Link to={p.path} aria-current={p.path === path ? 'page' : undefined}>
                    {p.label}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <Current key={path} />
      </main>
    </div>
  );
}

function useTitle(label: string | undefined) {
  useEffect(() => {
    document.title = `${label ?? 'Not found'} · oauth2-gateway console`;
  }, [label]);
}
