// Git credentials as Tekton's creds-init writes them (pkg/credentials/gitcreds): basic-auth
// Secrets become `.gitconfig` (the `store` helper and a username per URL) and `.git-credentials`
// (`https://user:pass@host` lines); ssh-auth Secrets become `.ssh/id_<secret>`, `.ssh/config`
// (one Host block per annotated host) and `.ssh/known_hosts` (the Secrets' `known_hosts` keys).

/** One `tekton.dev/git-*` annotation of a basic-auth Secret. */
export interface BasicGitEntry { secret: string; url: string; username: string; password: string }
/** One `tekton.dev/git-*` annotation of an ssh-auth Secret. */
export interface SshGitEntry { secret: string; url: string; privateKey: string; knownHosts?: string }

/** Characters Go's url.UserPassword leaves as they are in a username or password. */
const USERINFO_PLAIN = /[A-Za-z0-9\-_.~$&+,;=]/;

/** `s` escaped as the userinfo of a URL (percent-encoded UTF-8, upper-case hex, as Go's net/url does). */
export function escapeUserinfo(s: string): string {
  let out = '';
  for (const ch of s) {
    if (USERINFO_PLAIN.test(ch)) {
      out += ch;
      continue;
    }
    for (const b of new TextEncoder().encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `url` with `user:pass@` as its userinfo (replacing any it has); a URL without a scheme gets `//user:pass@` before it. */
export function withUserinfo(url: string, username: string, password: string): string {
  const info = `${escapeUserinfo(username)}:${escapeUserinfo(password)}`;
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s.exec(url);
  if (!m) return `//${info}@${url}`;
  const host = m[2].slice(m[2].lastIndexOf('@') + 1);
  return `${m[1]}://${info}@${host}${m[3]}`;
}

/** A Go `%q` quoting of a plain string (as the section name of `[credential "<url>"]`). */
function quoted(s: string): string {
  return JSON.stringify(s);
}

/** `.gitconfig` and `.git-credentials` of the basic-auth entries (in order), or {} when there are none. */
export function basicGitFiles(entries: readonly BasicGitEntry[]): Record<string, string> {
  if (entries.length === 0) return {};
  let config = '[credential]\n\thelper = store\n';
  for (const e of entries) config += `[credential ${quoted(e.url)}]\n\tusername = ${e.username.replaceAll('\\', '\\\\')}\n`;
  const lines = entries.map((e) => withUserinfo(e.url, e.username, e.password));
  return { '.gitconfig': config, '.git-credentials': `${lines.join('\n')}\n` };
}

/** Go's net.SplitHostPort, or undefined when `hostport` is not `host:port` / `[host]:port`. */
export function splitHostPort(hostport: string): { host: string; port: string } | undefined {
  const bracket = /^\[([^\]]*)\]:([^:]*)$/.exec(hostport);
  if (bracket) return { host: bracket[1], port: bracket[2] };
  const parts = hostport.split(':');
  if (parts.length !== 2 || hostport.includes('[') || hostport.includes(']')) return undefined;
  return { host: parts[0], port: parts[1] };
}

/**
 * `.ssh/config`, `.ssh/known_hosts` and `.ssh/id_<secret>` of the ssh-auth entries, or {} when
 * there are none. Hosts come in the order first seen; `dir` is where steps see the credentials
 * directory (the IdentityFile lines point into it). A host none of whose Secrets gives a
 * `known_hosts` gets `StrictHostKeyChecking accept-new`: its key is accepted on first use, as
 * Tekton's git-init accepts it (a step has no terminal to answer ssh's question); a host with
 * one is checked against it. Each block names the known_hosts file in `dir` (UserKnownHostsFile),
 * as its IdentityFile lines do: ssh takes `~` from the passwd entry, not from $HOME.
 */
export function sshGitFiles(entries: readonly SshGitEntry[], dir: string): Record<string, string> {
  if (entries.length === 0) return {};
  const byUrl = new Map<string, SshGitEntry[]>();
  for (const e of entries) byUrl.set(e.url, [...(byUrl.get(e.url) ?? []), e]);
  const files: Record<string, string> = {};
  let config = '';
  const knownHosts: string[] = [];
  for (const [url, es] of byUrl) {
    const { host, port } = splitHostPort(url) ?? { host: url, port: '22' };
    config += `Host ${host}\n    HostName ${host}\n    Port ${port}\n`;
    for (const e of es) {
      files[`.ssh/id_${e.secret}`] = e.privateKey;
      config += `    IdentityFile ${dir}/.ssh/id_${e.secret}\n`;
      if (e.knownHosts) knownHosts.push(e.knownHosts);
    }
    config += `    UserKnownHostsFile ${dir}/.ssh/known_hosts\n`;
    if (!es.some((e) => e.knownHosts)) config += '    StrictHostKeyChecking accept-new\n';
  }
  files['.ssh/config'] = config;
  if (knownHosts.length) files['.ssh/known_hosts'] = knownHosts.join('\n');
  return files;
}
