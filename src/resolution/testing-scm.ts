// Test helper: a loopback server answering as GitHub's REST API (under /api/v3, as an Enterprise
// server) and GitLab's API v4 do for the calls the git resolver's API mode makes.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface FakeScmRepo {
  /** ref (branch or tag) → commit */
  refs: Record<string, string>;
  /** commit → path → content */
  files: Record<string, Record<string, string>>;
  /** what `clone_url` / `http_url_to_repo` answer */
  cloneUrl: string;
}

export interface FakeScm {
  url: string;
  /** every request: method, URL (as sent, still encoded) and the auth headers */
  requests: Array<{ url: string; authorization?: string; privateToken?: string }>;
  stop(): Promise<void>;
}

/** A base64 body broken into lines as GitHub sends it. */
function b64(text: string): string {
  return (Buffer.from(text).toString('base64').match(/.{1,60}/g) ?? []).join('\n');
}

/** Serves `repos` (`org/repo` → repo); requests need `Bearer <token>` (GitHub) or `PRIVATE-TOKEN: <token>` (GitLab). */
export async function startFakeScm(repos: Record<string, FakeScmRepo>, token: string): Promise<FakeScm> {
  const requests: FakeScm['requests'] = [];
  const commitOf = (r: FakeScmRepo, ref: string) => r.refs[ref] ?? (r.files[ref] ? ref : undefined);

  function github(path: string, ref: string, res: ServerResponse, send: (code: number, body: unknown) => void) {
    const m = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)(?:\/(contents|commits)\/(.+))?$/.exec(path);
    const repo = m && repos[`${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`];
    if (!m || !repo) return send(404, { message: 'Not Found' });
    if (!m[3]) return send(200, { full_name: `${m[1]}/${m[2]}`, clone_url: repo.cloneUrl });
    if (m[3] === 'commits') {
      const sha = commitOf(repo, decodeURIComponent(m[4]));
      return sha ? send(200, { sha }) : send(422, { message: `No commit found for SHA: ${m[4]}` });
    }
    const file = decodeURIComponent(m[4]);
    const sha = commitOf(repo, ref || 'main');
    if (file === 'broken.yaml') return res.end('<html>not json</html>');
    const text = sha === undefined ? undefined : repo.files[sha][file];
    if (text === undefined) return send(404, { message: 'Not Found' });
    send(200, { type: 'file', encoding: 'base64', name: file.split('/').pop(), path: file, content: b64(text) });
  }

  function gitlab(path: string, ref: string, send: (code: number, body: unknown) => void) {
    const m = /^\/api\/v4\/projects\/([^/]+)(?:\/repository\/files\/([^/]+))?$/.exec(path);
    const repo = m && repos[decodeURIComponent(m[1])];
    if (!m || !repo) return send(404, { message: '404 Project Not Found' });
    if (!m[2]) return send(200, { path_with_namespace: decodeURIComponent(m[1]), http_url_to_repo: repo.cloneUrl });
    const file = decodeURIComponent(m[2]);
    const sha = commitOf(repo, ref);
    const text = sha === undefined ? undefined : repo.files[sha][file];
    if (text === undefined) return send(404, { message: '404 File Not Found' });
    send(200, { file_name: file.split('/').pop(), file_path: file, encoding: 'base64', content: Buffer.from(text).toString('base64'), ref, commit_id: sha, last_commit_id: sha });
  }

  const server = createServer(function answer(req: IncomingMessage, res: ServerResponse) {
    const url = req.url ?? '/';
    requests.push({ url, authorization: req.headers.authorization, privateToken: req.headers['private-token'] as string | undefined });
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const [path, query = ''] = url.split('?');
    const ref = new URLSearchParams(query).get('ref') ?? '';
    if (path.startsWith('/api/v3/')) {
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { message: 'Bad credentials' });
      // a renamed repository answers with a redirect on the same origin; `moved-away` to another origin
      if (path.includes('/repos/tektoncd/old-name')) return res.writeHead(301, { location: url.replace('/old-name', '/catalog') }).end();
      if (path.includes('/repos/tektoncd/moved-away')) return res.writeHead(302, { location: `http://localhost:${(server.address() as { port: number }).port}${url}` }).end();
      return github(path, ref, res, send);
    }
    if (path.startsWith('/api/v4/')) {
      if (req.headers['private-token'] !== token) return send(401, { message: '401 Unauthorized' });
      return gitlab(path, ref, send);
    }
    send(404, { message: 'Not Found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    stop: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
