// Private git servers a sidecar runs for the credentials end-to-end test: git over http behind
// Basic auth (`git http-backend` behind a tiny node server) and git over ssh (a non-root sshd).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The node server: argv root port user password; any request without the right Basic auth gets 401. */
export const HTTP_SERVER = `
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
const [root, port, user, password] = process.argv.slice(2);
const want = 'Basic ' + Buffer.from(user + ':' + password).toString('base64');
createServer(function serve(req, res) {
  if (req.headers.authorization !== want) {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
    return void res.end();
  }
  const url = new URL(req.url || '/', 'http://git');
  const env = { ...process.env, GIT_PROJECT_ROOT: root, GIT_HTTP_EXPORT_ALL: '1', PATH_INFO: url.pathname,
    QUERY_STRING: url.search.slice(1), REQUEST_METHOD: req.method || 'GET', CONTENT_TYPE: req.headers['content-type'] || '',
    HTTP_CONTENT_ENCODING: req.headers['content-encoding'] || '', GIT_PROTOCOL: String(req.headers['git-protocol'] || ''),
    REMOTE_USER: user, REMOTE_ADDR: '127.0.0.1' };
  const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let body = false;
  cgi.stdout.on('data', function relay(d) {
    if (body) return void res.write(d);
    head = Buffer.concat([head, d]);
    const end = head.indexOf('\\r\\n\\r\\n');
    if (end < 0) return;
    body = true;
    const headers = {};
    let status = 200;
    for (const line of head.subarray(0, end).toString().split('\\r\\n')) {
      const i = line.indexOf(':');
      if (line.slice(0, i).toLowerCase() === 'status') status = parseInt(line.slice(i + 1), 10);
      else headers[line.slice(0, i)] = line.slice(i + 1).trim();
    }
    res.writeHead(status, headers);
    res.write(head.subarray(end + 4));
  });
  cgi.stdout.on('end', () => res.end());
}).listen(Number(port), '127.0.0.1');
`;

/** Shell lines making the bare repository `<dir>/private.git` (branch main) holding README with `content`. */
export function makeRepoScript(dir: string, content: string): string {
  return [
    `mkdir -p ${dir} && git init -q --bare ${dir}/private.git`,
    `git init -q ${dir}/src && cd ${dir}/src && echo '${content}' > README && git add README`,
    'git -c user.name=kiln -c user.email=kiln@example.com commit -qm init',
    `git push -q ${dir}/private.git HEAD:refs/heads/main && git --git-dir=${dir}/private.git symbolic-ref HEAD refs/heads/main && cd /`,
  ].join('\n');
}

/** A node binary steps can run: one in the host directories the sandbox shows (/usr, /opt, …: see ROOT_ALLOW), kiln's own first. */
export function visibleNode(): string | undefined {
  for (const n of [process.execPath, '/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(n)) continue;
    const real = realpathSync(n);
    if (/^\/(usr|opt|bin)\//.test(real)) return real;
  }
  return undefined;
}

/** An ed25519 key pair made by ssh-keygen: the private key and the public key line. */
export function keyPair(comment: string): { privateKey: string; publicKey: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-key-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', join(dir, 'k')]);
  return { privateKey: readFileSync(join(dir, 'k'), 'utf8'), publicKey: readFileSync(join(dir, 'k.pub'), 'utf8').trim() };
}

/** The sshd the ssh case runs (Debian package openssh-server), or undefined. */
export function sshd(): string | undefined {
  return ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => existsSync(p));
}

/** sshd_config of a non-root sshd on 127.0.0.1:`port` with files in `dir`. */
export function sshdConfig(port: number, dir: string): string {
  return [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${dir}/hostkey`, `AuthorizedKeysFile ${dir}/authorized_keys`,
    `PidFile ${dir}/sshd.pid`, 'StrictModes no', 'UsePAM no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', '',
  ].join('\n');
}
