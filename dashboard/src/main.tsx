// The dashboard: sign-in, then hash-routed pages (deep links: a run's URL can be pasted anywhere).
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { request, setCsrf } from './api.ts';
import { SignIn } from './SignIn.tsx';
import { RunList } from './RunList.tsx';
import { RunPage } from './RunPage.tsx';
import { TaskRunPage } from './TaskRunPage.tsx';
import { useRoute } from './route.ts';
import { DefinitionList, KINDS, PipelinePage, TaskPage } from './Definitions.tsx';
import { ListenerPage } from './ListenerPage.tsx';
import { AppList, AppPage } from './Applications.tsx';
import './styles.css';

type Session = { state: 'loading' } | { state: 'signed-out' } | { state: 'in'; auth: boolean };

function App() {
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const [theme, setTheme] = useState(() => localStorage.getItem('kiln-theme') ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  const route = useRoute();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('kiln-theme', theme);
  }, [theme]);
  useEffect(() => {
    request<{ auth: boolean; signedIn: boolean; csrf?: string }>('GET', '/dashboard/session')
      .then((s) => {
        setCsrf(s.csrf ?? '');
        setSession(s.signedIn ? { state: 'in', auth: s.auth } : { state: 'signed-out' });
      })
      .catch(() => setSession({ state: 'signed-out' }));
  }, []);
  if (session.state === 'loading') return <p className="muted pad">Loading…</p>;
  if (session.state === 'signed-out') return <SignIn onSignedIn={(csrf) => { setCsrf(csrf); setSession({ state: 'in', auth: true }); }} />;
  const signOut = async () => {
    await request('DELETE', '/dashboard/session').catch(() => undefined);
    setCsrf('');
    setSession({ state: 'signed-out' });
  };
  const [page, ...rest] = route;
  // a link to a list with other filters starts the list again from them (typing in one does not: replaceState)
  const listKey = `${page}?${location.hash.split('?')[1] ?? ''}`;
  return (
    <>
      <header className="top">
        <a href="#/" className="brand">kiln</a>
        <nav>
          <a href="#/" aria-current={page === '' || page === 'runs' ? 'page' : undefined}>PipelineRuns</a>
          <a href="#/taskruns" aria-current={page === 'taskruns' ? 'page' : undefined}>TaskRuns</a>
          <a href="#/apps" aria-current={page === 'apps' ? 'page' : undefined}>Applications</a>
          <a href="#/defs/pipelines" aria-current={['defs', 'pipelines', 'tasks', 'stepactions', 'listeners'].includes(page) ? 'page' : undefined}>Definitions</a>
        </nav>
        <span className="spacer" />
        <button onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label="Toggle theme">{theme === 'dark' ? 'Light' : 'Dark'}</button>
        {session.auth && <button onClick={signOut}>Sign out</button>}
      </header>
      <main>
        {page === 'runs' && rest.length === 2 ? <RunPage ns={rest[0]} name={rest[1]} />
          : page === 'taskruns' && rest.length === 2 ? <TaskRunPage ns={rest[0]} name={rest[1]} />
          : page === 'taskruns' ? <RunList key={listKey} kind="taskruns" />
          : page === 'defs' ? <DefinitionList kind={rest[0] in KINDS ? rest[0] : 'pipelines'} />
          : page === 'pipelines' && rest.length === 2 ? <PipelinePage ns={rest[0]} name={rest[1]} />
          : (page === 'tasks' || page === 'stepactions') && rest.length === 2 ? <TaskPage ns={rest[0]} name={rest[1]} kind={page} />
          : page === 'listeners' && rest.length === 2 ? <ListenerPage ns={rest[0]} name={rest[1]} />
          : page === 'apps' && rest.length === 2 ? <AppPage ns={rest[0]} name={rest[1]} />
          : page === 'apps' ? <AppList />
          : <RunList key={listKey} kind="pipelineruns" />}
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
