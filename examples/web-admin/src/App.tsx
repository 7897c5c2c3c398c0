/** The page: pick a segment or a flag (from the backend's list, or typed), then see and change its removals. */
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { type Resource, describeResource, parseResourceId, resourceId } from './resource.ts';
import { TargetsPanel } from './TargetsPanel.tsx';

interface Config {
  user: string | null;
  resources: Resource[];
}

async function loadConfig(): Promise<Config> {
  const response = await fetch('/api/config', { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`The backend answered ${response.status}: reload the page to sign in again.`);
  return (await response.json()) as Config;
}

function TypedResource({ onPick }: { onPick: (r: Resource) => void }) {
  const [kind, setKind] = useState<'segment' | 'flag'>('segment');
  const [projectKey, setProjectKey] = useState('default');
  const [environmentKey, setEnvironmentKey] = useState('production');
  const [key, setKey] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (key.trim() !== '') onPick({ kind, projectKey: projectKey.trim(), environmentKey: environmentKey.trim(), key: key.trim() });
  };
  return (
    <form onSubmit={submit} className="row" aria-label="Type a segment or flag">
      <label>
        Kind
        <select value={kind} onChange={(e) => setKind(e.target.value as 'segment' | 'flag')}>
          <option value="segment">segment</option>
          <option value="flag">flag</option>
        </select>
      </label>
      <label>
        Project
        <input value={projectKey} onChange={(e) => setProjectKey(e.target.value)} required />
      </label>
      <label>
        Environment
        <input value={environmentKey} onChange={(e) => setEnvironmentKey(e.target.value)} required />
      </label>
      <label>
        Key
        <input name="resourceKey" value={key} onChange={(e) => setKey(e.target.value)} required />
      </label>
      <button type="submit">Show</button>
    </form>
  );
}

export function App() {
  const config = useQuery({ queryKey: ['web-admin', 'config'], queryFn: loadConfig, staleTime: Infinity, retry: false });
  const [picked, setPicked] = useState<Resource | undefined>(() => parseResourceId(location.hash.slice(1)));
  const resources = config.data?.resources ?? [];
  // One from the list keeps what the list knows of it (a flag's variations).
  const resource = picked && (resources.find((r) => resourceId(r) === resourceId(picked)) ?? picked);
  const setResource = (r: Resource | undefined) => setPicked(r);
  useEffect(() => {
    // The address names the resource shown, so it can be bookmarked and shared.
    history.replaceState(null, '', picked ? `#${resourceId(picked)}` : location.pathname);
  }, [picked]);
  return (
    <>
      <header>
        <h1>Scheduled removals</h1>
        <p>{config.data?.user ? `Signed in as ${config.data.user}.` : config.isError ? '' : 'Signing in…'}</p>
      </header>
      <main>
        {config.isError && (
          <p role="alert" className="error">
            {config.error.message}
          </p>
        )}
        <section aria-labelledby="pick-title" className="pick">
          <h2 id="pick-title">Segment or flag</h2>
          <label>
            From the list
            <select
              name="resource"
              value={resource ? resourceId(resource) : ''}
              onChange={(e) => setResource(resources.find((r) => resourceId(r) === e.target.value))}
            >
              <option value="">Choose…</option>
              {resources.map((r) => (
                <option key={resourceId(r)} value={resourceId(r)}>
                  {describeResource(r)}
                </option>
              ))}
            </select>
          </label>
          <p className="hint">Or type one:</p>
          <TypedResource onPick={setResource} />
        </section>
        {resource && config.isSuccess && <TargetsPanel key={resourceId(resource)} resource={resource} />}
      </main>
    </>
  );
}
