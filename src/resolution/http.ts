// The http resolver (Tekton's `http`): url, optional basic auth (http-username + a password
// from a Secret of the run's namespace), an optional expected digest; the body is read up to a
// size limit and its sha256 recorded as the run's provenance.
import { createHash } from 'node:crypto';
import { ResolverError, type Fetched, type ResolveContext, type Resolver } from './framework.ts';
import { isLocal, rewriteUrl, type UrlRewrite } from './remote.ts';

export interface HttpResolverOptions {
  /** the value of `key` in Secret `name` of `namespace`, or undefined when either is absent */
  secretValue(namespace: string, name: string, key: string): Promise<string | undefined>;
  /** bodies larger than this fail (default 1 MiB) */
  maxBytes?: number;
  rewrites?: readonly UrlRewrite[];
  /** no network here: a remote beyond this machine is unsupported */
  offline?: boolean;
}

/** Tekton's default key of the password in `http-password-secret`. */
export const DEFAULT_PASSWORD_KEY = 'password';

/** `sha256:<hex>` / `sha512:<hex>` → algorithm and hex, or why not. */
export function parseDigest(text: string): { algorithm: 'sha256' | 'sha512'; hex: string } | { error: string } {
  const m = /^(sha256|sha512):([0-9a-f]+)$/i.exec(text.trim());
  if (!m) return { error: `digest "${text}" must be sha256:<hex> or sha512:<hex>` };
  const algorithm = m[1].toLowerCase() as 'sha256' | 'sha512';
  const want = algorithm === 'sha256' ? 64 : 128;
  if (m[2].length !== want) return { error: `digest "${text}": a ${algorithm} digest has ${want} hex digits` };
  return { algorithm, hex: m[2].toLowerCase() };
}

/** The body of `res`, failing once it is more than `maxBytes`. */
export async function readLimited(res: Response, url: string, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw new ResolverError(`${url} is ${declared} bytes, more than the limit of ${maxBytes}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += (chunk as Uint8Array).byteLength;
    if (size > maxBytes) throw new ResolverError(`${url} is more than the limit of ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

export function createHttpResolver({ secretValue, maxBytes = 1 << 20, rewrites = [], offline = false }: HttpResolverOptions): Resolver {
  async function authorization(params: ReadonlyMap<string, string>, namespace: string): Promise<string | undefined> {
    const user = params.get('http-username');
    const secret = params.get('http-password-secret');
    if (!user && !secret) return undefined;
    if (!user || !secret) throw new ResolverError('http-username and http-password-secret must be given together');
    const key = params.get('http-password-secret-key') || DEFAULT_PASSWORD_KEY;
    const password = await secretValue(namespace, secret, key);
    if (password === undefined) throw new ResolverError(`cannot get API token, secret "${secret}" (key "${key}") not found in namespace "${namespace}"`);
    return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }

  async function fetchUrl(params: ReadonlyMap<string, string>, ctx: ResolveContext): Promise<Fetched> {
    const url = params.get('url');
    if (!url) throw new ResolverError('missing required http resolver params: url');
    if (!/^https?:\/\//i.test(url)) throw new ResolverError(`url "${url}" must be an http or https URL`);
    const expected = params.has('digest') ? parseDigest(params.get('digest')!) : undefined;
    if (expected && 'error' in expected) throw new ResolverError(expected.error);
    const target = rewriteUrl(url, rewrites);
    if (offline && !isLocal(target)) {
      throw new ResolverError(`fetching ${target} needs the network, which this machine does not have (serve it on loopback and map the URL to it)`, { unsupported: true });
    }
    const auth = await authorization(params, ctx.namespace);
    let res: Response;
    try {
      res = await fetch(target, { signal: ctx.signal, headers: auth ? { authorization: auth } : {}, redirect: 'follow' });
    } catch (e) {
      throw new ResolverError(`error fetching ${url}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`);
    }
    if (res.status === 404) throw new ResolverError(`requested URL '${url}' is not found`);
    if (!res.ok) throw new ResolverError(`error fetching URL: status code: ${res.status}`);
    const body = await readLimited(res, url, maxBytes);
    const sha256 = createHash('sha256').update(body).digest('hex');
    if (expected && !('error' in expected)) {
      const got = expected.algorithm === 'sha256' ? sha256 : createHash('sha512').update(body).digest('hex');
      if (got !== expected.hex) throw new ResolverError(`${url}: content digest ${expected.algorithm}:${got} does not match the digest param ${expected.algorithm}:${expected.hex}`);
    }
    return { data: body.toString('utf8'), refSource: { uri: url, digest: { sha256 } }, source: url };
  }

  return { title: 'Http', immutable: (params) => params.has('digest'), fetch: fetchUrl };
}
