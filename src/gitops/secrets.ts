// Reading Argo CD's configuration Secrets (repositories, repo-creds, clusters): stringData wins, data is base64.

export interface SecretLike {
  metadata?: { name?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** Argo CD's label naming what a configuration Secret holds (repository, repo-creds, cluster). */
export const SECRET_TYPE_LABEL = 'argocd.argoproj.io/secret-type';

/** The text of `key` in the Secret, if present. */
export function secretField(s: SecretLike, key: string): string | undefined {
  if (s.stringData?.[key] !== undefined) return s.stringData[key];
  const b64 = s.data?.[key];
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
}
