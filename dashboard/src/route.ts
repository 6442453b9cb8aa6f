// The current hash route as path segments (#/runs/ns/name → ['runs', 'ns', 'name']), plus its query.
import { useEffect, useState } from 'react';
import { parseHash } from './lists.ts';

const parse = (): string[] => parseHash(location.hash).path;

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
  return parseHash(location.hash).query;
}

export function setQuery(q: URLSearchParams): void {
  const base = location.hash.split('?')[0] || '#/';
  const s = q.toString();
  history.replaceState(null, '', s ? `${base}?${s}` : base);
}
