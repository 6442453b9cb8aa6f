// What `kiln serve` secures itself with: a self-signed CA, a server certificate it signs, and a
// bearer token — made at first start with the openssl CLI and kept in the data directory — plus
// a ready-to-use kubeconfig.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface Credentials {
  caCert: string;
  cert: string;
  key: string;
  token: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Loads the data dir's TLS material and token, creating what is missing: `tls/ca.crt`, `tls/ca.key`,
 * `tls/server.crt` (SANs: 127.0.0.1, ::1, localhost, this host's name and `extraNames`),
 * `tls/server.key`, `token` (private files 0600). Throws with openssl's message if it cannot.
 */
export function ensureCredentials(dataDir: string, extraNames: string[] = []): Credentials {
  const dir = join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700); // also when an earlier kiln made it readable
  const p = (f: string) => join(dir, f);
  if (!existsSync(p('ca.crt')) || !existsSync(p('ca.key'))) {
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650', '-subj', '/CN=kiln-ca'], dir);
  }
  if (!existsSync(p('server.crt')) || !existsSync(p('server.key'))) {
    const names = [...new Set(['localhost', hostname(), ...extraNames.filter((n) => !/^[\d.:]+$/.test(n))])];
    const ips = [...new Set(['127.0.0.1', '::1', ...extraNames.filter((n) => /^[\d.:]+$/.test(n) && n !== '0.0.0.0' && n !== '::')])];
    const san = [...names.map((n) => `DNS:${n}`), ...ips.map((ip) => `IP:${ip}`)].join(',');
    writeFileSync(p('server.ext'), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n`);
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=kiln-server'], dir);
    openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '825', '-extfile', 'server.ext'], dir);
  }
  const tokenFile = join(dataDir, 'token');
  if (!existsSync(tokenFile)) writeFileSync(tokenFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  for (const f of [p('ca.key'), p('server.key'), tokenFile]) chmodSync(f, 0o600);
  return {
    caCert: readFileSync(p('ca.crt'), 'utf8'),
    cert: readFileSync(p('server.crt'), 'utf8'),
    key: readFileSync(p('server.key'), 'utf8'),
    token: readFileSync(tokenFile, 'utf8').trim(),
  };
}

/** Writes `<dataDir>/kubeconfig` for kubectl and kiln's own client (0600: it holds the token). */
export function writeKubeconfig(dataDir: string, server: string, creds?: Pick<Credentials, 'caCert' | 'token'>): string {
  const file = join(dataDir, 'kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kiln', cluster: { server, ...(creds ? { 'certificate-authority-data': Buffer.from(creds.caCert).toString('base64') } : {}) } }],
    users: [{ name: 'kiln', user: creds ? { token: creds.token } : {} }],
    contexts: [{ name: 'kiln', context: { cluster: 'kiln', user: 'kiln', namespace: 'default' } }],
    'current-context': 'kiln',
  };
  writeFileSync(file, stringify(config), { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}
