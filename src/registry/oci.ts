// A small client of the OCI Distribution API over fetch, for one repository: the auth handshake
// (a 401's WWW-Authenticate asks for Basic credentials or a Bearer token from its realm), manifests
// (OCI and Docker v2 media types) and blobs, read with their digests checked, and pushed (monolithic
// blob uploads, then the manifest).
import { createHash } from 'node:crypto';
import { registryBaseUrl, type Credentials } from './oci-ref.ts';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** A registry's answer other than success; `status` 0 when the registry could not be reached. */
export class RegistryError extends Error {
  readonly status: number;
  /** the distribution error code (`MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, `UNAUTHORIZED`, …), if given */
  readonly code?: string;
  constructor(message: string, status: number, code?: string) {
    super(message);
    this.name = 'RegistryError';
    this.status = status;
    this.code = code;
  }
}

export interface RegistryClientOptions {
  /** `host[:port]` */
  registry: string;
  repository: string;
  credentials?: Credentials;
  /** the scope asked of a token server: `pull` (default) or `pull,push` */
  actions?: string;
  signal?: AbortSignal;
  /** the API's base URL (default: http for loopback, https otherwise) */
  baseUrl?: string;
}

export interface RegistryClient {
  /** the manifest `reference` (a tag or a digest) names: its bytes, media type and sha256 digest */
  getManifest(reference: string): Promise<{ body: Buffer; mediaType: string; digest: string }>;
  /** a blob, at most `maxBytes`, its digest checked */
  getBlob(digest: string, maxBytes: number): Promise<Buffer>;
  hasBlob(digest: string): Promise<boolean>;
  /** uploads a blob (unless the registry has it already); returns its digest */
  putBlob(body: Buffer): Promise<string>;
  /** puts a manifest under a tag; returns its digest */
  putManifest(tag: string, body: Buffer, mediaType: string): Promise<string>;
}

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(body: Buffer): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

/** The scheme and `key="value"` parameters of a WWW-Authenticate header. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const scheme = (/^\s*(\S+)/.exec(header)?.[1] ?? '').toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.matchAll(/([A-Za-z_]+)="([^"]*)"/g)) params[m[1].toLowerCase()] = m[2];
  return { scheme, params };
}

async function failure(res: Response, what: string): Promise<RegistryError> {
  let code: string | undefined;
  let detail = '';
  try {
    const body = (await res.json()) as { errors?: Array<{ code?: string; message?: string }> };
    code = body.errors?.[0]?.code;
    detail = body.errors?.[0]?.message ?? '';
  } catch { /* not a distribution error body */ }
  return new RegistryError(`${what}: ${res.status}${code ? ` ${code}` : ''}${detail ? ` (${detail})` : ''}`, res.status, code);
}

export function createRegistryClient({ registry, repository, credentials, actions = 'pull', signal, baseUrl = registryBaseUrl(registry) }: RegistryClientOptions): RegistryClient {
  const api = `${baseUrl}/v2/${repository}`;
  let authorization: string | undefined;
  const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;

  async function send(url: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (authorization) headers.set('authorization', authorization);
    try {
      return await fetch(url, { ...init, headers, signal, redirect: 'follow' });
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new RegistryError(`cannot reach ${baseUrl}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`, 0);
    }
  }

  /** Answers a 401's challenge: Basic with the credentials, or a Bearer token from the realm. */
  async function authenticate(challenge: string): Promise<void> {
    const { scheme, params } = parseChallenge(challenge);
    if (scheme === 'basic') {
      if (!basic) throw new RegistryError(`${registry} asks for credentials and none were given`, 401, 'UNAUTHORIZED');
      authorization = basic;
      return;
    }
    if (scheme !== 'bearer' || !params.realm) throw new RegistryError(`${registry} asks for an authentication kiln does not speak: ${challenge}`, 401, 'UNAUTHORIZED');
    const token = new URL(params.realm);
    if (params.service) token.searchParams.set('service', params.service);
    const scopes = new Set([`repository:${repository}:${actions}`, ...(params.scope ? [params.scope] : [])]);
    for (const s of scopes) token.searchParams.append('scope', s);
    let res: Response;
    try {
      res = await fetch(token, { headers: basic ? { authorization: basic } : {}, signal });
    } catch (e) {
      throw new RegistryError(`cannot reach the token server ${token.origin}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`, 0);
    }
    if (!res.ok) throw await failure(res, `token server ${token.origin} refused a token for ${repository}`);
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const t = body.token ?? body.access_token;
    if (!t) throw new RegistryError(`token server ${token.origin} answered no token`, 401, 'UNAUTHORIZED');
    authorization = `Bearer ${t}`;
  }

  async function request(url: string, init: RequestInit, what: string, ok: (s: number) => boolean): Promise<Response> {
    let res = await send(url, init);
    if (res.status === 401) {
      const challenge = res.headers.get('www-authenticate');
      await res.body?.cancel();
      if (!challenge) throw new RegistryError(`${what}: 401 without a WWW-Authenticate challenge`, 401, 'UNAUTHORIZED');
      await authenticate(challenge);
      res = await send(url, init);
    }
    if (!ok(res.status)) throw await failure(res, what);
    return res;
  }

  async function readLimited(res: Response, maxBytes: number, what: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body ?? []) {
      size += (chunk as Uint8Array).byteLength;
      if (size > maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw new RegistryError(`${what} is more than the limit of ${maxBytes} bytes`, res.status);
      }
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
    return Buffer.concat(chunks);
  }

  function checked(body: Buffer, digest: string, what: string): Buffer {
    const got = sha256Digest(body);
    if (digest.startsWith('sha256:') && got !== digest) throw new RegistryError(`${what}: content digest ${got} is not ${digest}`, 200);
    return body;
  }

  async function hasBlob(digest: string): Promise<boolean> {
    const res = await request(`${api}/blobs/${digest}`, { method: 'HEAD' }, `blob ${digest}`, (s) => s === 200 || s === 404);
    return res.status === 200;
  }

  return {
    hasBlob,
    async getManifest(reference) {
      const what = `manifest ${registry}/${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
      const accept = [OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_LIST].join(', ');
      const res = await request(`${api}/manifests/${reference}`, { headers: { accept } }, what, (s) => s === 200);
      const body = await readLimited(res, 4 << 20, what);
      const mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
      if (reference.startsWith('sha256:')) checked(body, reference, what);
      return { body, mediaType, digest: sha256Digest(body) };
    },
    async getBlob(digest, maxBytes) {
      const what = `blob ${digest} of ${registry}/${repository}`;
      const res = await request(`${api}/blobs/${digest}`, {}, what, (s) => s === 200);
      return checked(await readLimited(res, maxBytes, what), digest, what);
    },
    async putBlob(body) {
      const digest = sha256Digest(body);
      if (await hasBlob(digest)) return digest;
      const what = `upload of blob ${digest} to ${registry}/${repository}`;
      const start = await request(`${api}/blobs/uploads/`, { method: 'POST' }, what, (s) => s === 202);
      await start.body?.cancel();
      const location = start.headers.get('location');
      if (!location) throw new RegistryError(`${what}: the registry gave no upload location`, start.status);
      const url = new URL(location, `${baseUrl}/`);
      url.searchParams.set('digest', digest);
      const put = await request(url.href, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(body) }, what, (s) => s === 201);
      await put.body?.cancel();
      return digest;
    },
    async putManifest(tag, body, mediaType) {
      const what = `push of manifest ${registry}/${repository}:${tag}`;
      const res = await request(`${api}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': mediaType }, body: new Uint8Array(body) }, what, (s) => s === 201 || s === 200);
      await res.body?.cancel();
      return sha256Digest(body);
    },
  };
}
