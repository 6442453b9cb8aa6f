// Test helper: a small OCI registry in memory on loopback (manifests, blobs, monolithic uploads),
// asking for no auth, Basic credentials, or a Bearer token from its own token endpoint.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface FakeRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  /** manifests by `repo:tag` and `repo@digest`, with their media type */
  manifests: Map<string, { body: Buffer; mediaType: string }>;
  blobs: Map<string, Buffer>;
  /** `METHOD path` of every request, in order, and the authorization each carried */
  log: Array<{ line: string; authorization?: string }>;
  /** scopes asked of the token endpoint */
  scopes: string[];
  close(): Promise<void>;
}

export interface FakeRegistryOptions {
  auth?: 'none' | 'basic' | 'bearer';
  /** the accepted user:password (basic, and to get a token) */
  user?: string;
  password?: string;
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** Starts the fake registry on 127.0.0.1 and a free port. */
export async function startFakeRegistry({ auth = 'none', user = 'bob', password = 's3cret' }: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const manifests = new Map<string, { body: Buffer; mediaType: string }>();
  const blobs = new Map<string, Buffer>();
  const log: FakeRegistry['log'] = [];
  const scopes: string[] = [];
  const basic = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const TOKEN = 'Bearer t0ken';
  let base = '';
  let uploads = 0;

  const server: Server = createServer(async function handle(req, res) {
    const url = new URL(req.url ?? '/', base);
    log.push({ line: `${req.method} ${url.pathname}`, authorization: req.headers.authorization });
    const error = (status: number, code: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code, message: code.toLowerCase().replace(/_/g, ' ') }] }));
    };
    if (url.pathname === '/token') {
      scopes.push(...url.searchParams.getAll('scope'));
      if (req.headers.authorization !== basic) return error(401, 'UNAUTHORIZED');
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ token: 't0ken' }));
    }
    const wanted = auth === 'basic' ? basic : auth === 'bearer' ? TOKEN : undefined;
    if (wanted && req.headers.authorization !== wanted) {
      res.setHeader('www-authenticate', auth === 'basic' ? 'Basic realm="fake"' : `Bearer realm="${base}/token",service="fake-registry"`);
      return error(401, 'UNAUTHORIZED');
    }
    const data = await body(req);
    if (url.pathname.startsWith('/upload/') && req.method === 'PUT') {
      const digest = url.searchParams.get('digest') ?? '';
      if (sha(data) !== digest) return error(400, 'DIGEST_INVALID');
      blobs.set(digest, data);
      res.writeHead(201, { location: `/v2/x/blobs/${digest}` });
      return res.end();
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/(.+)$/.exec(url.pathname);
    if (m && m[2] === 'blobs' && m[3] === 'uploads/' && req.method === 'POST') {
      res.writeHead(202, { location: `/upload/${++uploads}?state=x` });
      return res.end();
    }
    if (m && m[2] === 'blobs') {
      const b = blobs.get(m[3]);
      if (!b) return error(404, 'BLOB_UNKNOWN');
      res.writeHead(200, { 'content-length': b.length });
      return res.end(req.method === 'HEAD' ? undefined : b);
    }
    if (m && m[2] === 'manifests' && req.method === 'PUT') {
      const entry = { body: data, mediaType: String(req.headers['content-type']) };
      manifests.set(`${m[1]}:${m[3]}`, entry);
      manifests.set(`${m[1]}@${sha(data)}`, entry);
      res.writeHead(201, { 'docker-content-digest': sha(data) });
      return res.end();
    }
    if (m && m[2] === 'manifests') {
      const entry = manifests.get(`${m[1]}${m[3].startsWith('sha256:') ? '@' : ':'}${m[3]}`);
      if (!entry) return error(404, m[3].startsWith('sha256:') ? 'MANIFEST_UNKNOWN' : 'MANIFEST_UNKNOWN');
      res.writeHead(200, { 'content-type': entry.mediaType, 'docker-content-digest': sha(entry.body) });
      return res.end(entry.body);
    }
    error(404, 'NAME_UNKNOWN');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  base = `http://${host}`;
  return { host, manifests, blobs, log, scopes, close: () => new Promise<void>((r) => server.close(() => r())) };
}
