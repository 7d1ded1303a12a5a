import { useEffect, useState, type ComponentType } from 'react';
import { api, lineOf, onUnauthorized, WROTE } from './api/client';
import type { RevisionDto, WhoamiDto } from './api/types';
import { AdminTokensPage } from './pages/AdminTokensPage';
import { AuditPage } from './pages/AuditPage';
import { ConsumersPage } from './pages/ConsumersPage';
import { DashboardPage } from './pages/DashboardPage';
import { ExplainPage } from './pages/ExplainPage';
import { ExportPage } from './pages/ExportPage';
import { ImportPage } from './pages/ImportPage';
import { KeysPage } from './pages/KeysPage';
import { NodesPage } from './pages/NodesPage';
import { PoliciesPage } from './pages/PoliciesPage';
import { RevocationsPage } from './pages/RevocationsPage';
import { RoutesPage } from './pages/RoutesPage';
import { SettingsPage } from './pages/SettingsPage';
import { SignInPage } from './pages/SignInPage';
import { Link, navigate, usePath } from './router';
import { clearToken, getToken, setWhoami, whoami } from './session';
import { Empty, ErrorLine, Loading, PageHeader } from './ui/ui';

interface Page {
  path: string;
  label: string;
  component: ComponentType;
}

/** The navigation: a new page is one entry in one of these groups. */
const NAV: { group: string; pages: Page[] }[] = [
  {
    group: 'Overview',
    pages: [
      { path: '/dashboard', label: 'Dashboard', component: DashboardPage },
      { path: '/nodes', label: 'Nodes', component: NodesPage },
      { path: '/audit', label: 'Audit log', component: AuditPage },
    ],
  },
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
      { path: '/admin-tokens', label: 'Admin tokens', component: AdminTokensPage },
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
  const [me, setMe] = useState<WhoamiDto | null>(() => whoami());
  const [meError, setMeError] = useState<string | null>(null);

  useEffect(() => {
    onUnauthorized((line) => {
      setReason(`${line}. Sign in again.`);
      setMe(null);
      setSignedIn(false);
    });
  }, []);
  // The role decides which controls the pages show: known before any page renders (after a reload too).
  useEffect(() => {
    if (!signedIn || me) return;
    let live = true;
    setMeError(null);
    api<WhoamiDto>('GET', '/whoami').then(
      (w) => {
        if (!live) return;
        setWhoami(w);
        setMe(w);
      },
      (e) => live && setMeError(lineOf(e)),
    );
    return () => {
      live = false;
    };
  }, [signedIn, me]);
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
        onSignedIn={(w) => {
          setReason(null);
          setWhoami(w);
          setMe(w);
          setSignedIn(true);
        }}
      />
    );

  const Current = page?.component ?? NotFound;
  const signOut = () => {
    clearToken();
    setMe(null);
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
        <span className="whoami" data-testid="whoami" title="The admin token you signed in with, and its role">
          {me ? (
            <>
              <span className="whoami-name">{me.name}</span> <span className={`role role-${me.role}`}>{me.role}</span>
            </>
          ) : (
            ''
          )}
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
        {me ? (
          <Current key={path} />
        ) : (
          <>
            <ErrorLine error={meError} />
            <Loading />
          </>
        )}
      </main>
    </div>
  );
}

function useTitle(label: string | undefined) {
  useEffect(() => {
    document.title = `${label ?? 'Not found'} · oauth2-gateway console`;
  }, [label]);
}
