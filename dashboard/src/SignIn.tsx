// The sign-in page: the API token in, an httpOnly session cookie back (the token never stays in the page).
import { useState } from 'react';
import { request } from './api.ts';

export function SignIn({ onSignedIn }: { onSignedIn: (csrf: string) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError('');
    try {
      const s = await request<{ csrf: string }>('POST', '/dashboard/session', { token: token.trim() });
      setToken('');
      onSignedIn(s.csrf);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="signin" onSubmit={submit}>
      <h1>kiln</h1>
      <label htmlFor="token">API token</label>
      <input id="token" type="password" autoComplete="off" autoFocus value={token} onChange={(e) => setToken(e.target.value)} />
      <p className="muted">The token in <code>&lt;data-dir&gt;/token</code>, or one made by <code>kiln token create</code>.</p>
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit" disabled={!token.trim()}>Sign in</button>
    </form>
  );
}
