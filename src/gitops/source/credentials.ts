// Repository credentials as Argo CD keeps them: Secrets labelled
// `argocd.argoproj.io/secret-type: repository` (one repository, exact URL) or `repo-creds` (a URL
// prefix, a template for every repository under it). The exact match wins, else the longest prefix.
import { secretField as field, SECRET_TYPE_LABEL, type SecretLike } from '../secrets.ts';
import type { RepoCredential } from '../types.ts';

/** The credentials of every repository / repo-creds Secret among `secrets` (others ignored). */
export function credentialsFromSecrets(secrets: readonly SecretLike[]): RepoCredential[] {
  const out: RepoCredential[] = [];
  for (const s of secrets) {
    const type = s.metadata?.labels?.[SECRET_TYPE_LABEL];
    if (type !== 'repository' && type !== 'repo-creds') continue;
    const url = field(s, 'url');
    if (!url) continue;
    const cred: RepoCredential = { url, prefix: type === 'repo-creds' };
    const username = field(s, 'username');
    const password = field(s, 'password');
    const key = field(s, 'sshPrivateKey');
    if (username !== undefined) cred.username = username;
    if (password !== undefined) cred.password = password;
    if (key !== undefined) cred.sshPrivateKey = key;
    if (/^true$/i.test(field(s, 'insecure') ?? '')) cred.insecure = true;
    out.push(cred);
  }
  return out;
}

/** `url` compared as Argo CD compares repositories: case-insensitive, without a trailing `.git` or `/`. */
export function normalizeRepoURL(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '').replace(/\.git$/, '');
}

/** The credential for `url`: a repository Secret naming it, else the repo-creds with the longest matching prefix. */
export function credentialFor(url: string, creds: readonly RepoCredential[]): RepoCredential | undefined {
  const want = normalizeRepoURL(url);
  const exact = creds.find((c) => !c.prefix && normalizeRepoURL(c.url) === want);
  if (exact) return exact;
  let best: RepoCredential | undefined;
  for (const c of creds) {
    if (!c.prefix || !url.startsWith(c.url)) continue;
    if (!best || c.url.length > best.url.length) best = c;
  }
  return best;
}
