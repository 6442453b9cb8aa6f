// The current hash route as path segments (#/runs/ns/name → ['runs', 'ns', 'name']), plus its query.
import { useEffect, useState } from 'react';

function parse(): string[] {
  const path = location.hash.replace(/^#\/?/, '').split('?')[0];
  return path ? path.split('/').map(decodeURIComponent) : [''];
}

export function useRoute(): string[] {
  const [r, setR] = useState(parse);
  useEffect(() => {
    const on = () => setR(parse());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return r;
}

export function queryOf(): URLSearchParams {
  return new URLSearchParams(location.hash.split('?')[1] ?? '');
}

export function setQuery(q: URLSearchParams): void {
  const base = location.hash.split('?')[0] || '#/';
  const s = q.toString();
  history.replaceState(null, '', s ? `${base}?${s}` : base);
}
