// The SCM providers the git resolver's API mode reads a file through: where each one's API lives,
// how it is asked for a file, the commit a revision names and the repository's clone URL, and how
// the token is presented. Requests only; the resolver (gitapi.ts) sends them and reports failures.

/** The SCM types Tekton's git resolver knows (go-scm's drivers); kiln serves github and gitlab. */
export const KNOWN_SCM_TYPES = ['github', 'gitlab', 'gitea', 'gogs', 'bitbucket', 'bitbucketcloud', 'bitbucketserver', 'stash', 'azure'] as const;

/** What was read through an SCM API: the file, the commit the revision names, the clone URL. */
export interface ScmFile {
  /** the file's text */
  data: string;
  /** the path as the provider names it */
  path: string;
  /** the full commit the revision named when the file was read */
  commit: string;
  /** the repository's clone URL (https) */
  cloneUrl: string;
}

/** The repository, the file and the revision asked for. */
export interface ScmTarget { org: string; repo: string; path: string; revision: string }

/** One API request of a provider: the URL, and how to read what it answers. */
export interface ScmCall<T> { url: string; read(body: unknown): T | { error: string } }

export interface ScmDriver {
  /** the provider's name in messages: `GitHub`, `GitLab` */
  title: string;
  /** the API base for a server URL ('' = the public service) */
  apiBase(serverURL: string): string;
  /** the header that carries the token */
  authorization(token: string): Record<string, string>;
  /** the calls whose answers make an ScmFile: file, commit, repository */
  calls(base: string, t: ScmTarget): { file: ScmCall<{ data: string; path: string; commit?: string }>; commit?: ScmCall<string>; repository: ScmCall<string> };
}

/** `a/b c` → `a/b%20c`: each path segment encoded, slashes kept. */
function segments(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function field(body: unknown, name: string): unknown {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined;
}

/** A base64 file body (`encoding: base64`, `content`), as both providers answer. */
function decodeContent(body: unknown, what: string): string | { error: string } {
  if (Array.isArray(body)) return { error: `${what} is a directory, not a file` };
  const content = field(body, 'content');
  const encoding = field(body, 'encoding');
  if (typeof content !== 'string' || content === '') return { error: `no content for ${what}` };
  if (encoding !== 'base64') return { error: `${what}: content encoded as "${String(encoding)}", expected base64 (files over 1 MB are not served through the contents API)` };
  return Buffer.from(content, 'base64').toString('utf8');
}

function str(body: unknown, name: string, what: string): string | { error: string } {
  const v = field(body, name);
  return typeof v === 'string' && v !== '' ? v : { error: `${what}: the answer has no "${name}"` };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** GitHub and GitHub Enterprise (REST v3): `Authorization: Bearer`, `/api/v3` under an Enterprise server. */
export const github: ScmDriver = {
  title: 'GitHub',
  apiBase(serverURL) {
    const url = trimSlash(serverURL);
    if (url === '' || /^https?:\/\/(www\.)?github\.com$/i.test(url)) return 'https://api.github.com';
    if (/^https?:\/\/api\.github\.com$/i.test(url) || url.includes('/api/')) return url;
    return `${url}/api/v3`;
  },
  authorization: (token) => ({ authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' }),
  calls(base, { org, repo, path, revision }) {
    const r = `${base}/repos/${encodeURIComponent(org)}/${encodeURIComponent(repo)}`;
    const what = `path "${path}"`;
    return {
      file: {
        url: `${r}/contents/${segments(path)}?ref=${encodeURIComponent(revision)}`,
        read(body) {
          const data = decodeContent(body, what);
          if (typeof data !== 'string') return data;
          const p = field(body, 'path');
          return { data, path: typeof p === 'string' ? p : path };
        },
      },
      commit: { url: `${r}/commits/${segments(revision)}`, read: (body) => str(body, 'sha', `commit of revision "${revision}"`) },
      repository: { url: r, read: (body) => str(body, 'clone_url', 'repository') },
    };
  },
};

/** GitLab (API v4, gitlab.com or self-hosted): `PRIVATE-TOKEN`; the file answer names its commit. */
export const gitlab: ScmDriver = {
  title: 'GitLab',
  apiBase: (serverURL) => trimSlash(serverURL) || 'https://gitlab.com',
  authorization: (token) => ({ 'private-token': token }),
  calls(base, { org, repo, path, revision }) {
    const project = `${base}/api/v4/projects/${encodeURIComponent(`${org}/${repo}`)}`;
    const what = `path "${path}"`;
    return {
      file: {
        url: `${project}/repository/files/${encodeURIComponent(path)}?ref=${encodeURIComponent(revision)}`,
        read(body) {
          const data = decodeContent(body, what);
          if (typeof data !== 'string') return data;
          const commit = str(body, 'commit_id', what);
          if (typeof commit !== 'string') return commit;
          const p = field(body, 'file_path');
          return { data, path: typeof p === 'string' ? p : path, commit };
        },
      },
      repository: { url: project, read: (body) => str(body, 'http_url_to_repo', 'repository') },
    };
  },
};

/** The driver of an SCM type, or why there is none. */
export function scmDriver(scmType: string): ScmDriver | { error: string; unsupported: boolean } {
  if (scmType === 'github') return github;
  if (scmType === 'gitlab') return gitlab;
  if ((KNOWN_SCM_TYPES as readonly string[]).includes(scmType)) {
    return { error: `scmType "${scmType}" is not supported by kiln's git resolver yet (supported: github, gitlab)`, unsupported: true };
  }
  return { error: `scmType "${scmType}" is not an SCM type (one of ${KNOWN_SCM_TYPES.join(', ')})`, unsupported: false };
}
