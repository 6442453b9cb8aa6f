// Credentials from a ServiceAccount's Secrets, as Tekton's creds-init lays them out in
// /tekton/creds (and each step's HOME): which Secrets count and the files they become.
// Secrets are taken in the ServiceAccount's order; the URLs of one Secret's `tekton.dev/git-*` /
// `tekton.dev/docker-*` annotations in sorted order. The formats are in creds.git.ts and creds.docker.ts.
import { basicGitFiles, escapeUserinfo, sshGitFiles } from './creds.git.ts';
import type { BasicGitEntry, SshGitEntry } from './creds.git.ts';
import { base64, dockerFiles } from './creds.docker.ts';
import type { BasicDockerEntry, DockerConfigSource } from './creds.docker.ts';
import { CREDS_DIR } from './paths.ts';

export const BASIC_AUTH = 'kubernetes.io/basic-auth';
export const SSH_AUTH = 'kubernetes.io/ssh-auth';
export const DOCKERCFG = 'kubernetes.io/dockercfg';
export const DOCKERCONFIGJSON = 'kubernetes.io/dockerconfigjson';

/** A Secret of the ServiceAccount with its values decoded. */
export interface CredSecret {
  name: string;
  type?: string;
  annotations?: Record<string, string>;
  /** key → decoded value (`data` decoded, `stringData` over it) */
  data: Record<string, string>;
}

/** What creds-init makes of the Secrets. */
export interface CredsInit {
  /** path relative to the credentials directory and to HOME (`.gitconfig`, `.ssh/config`, …) → content; {} when no Secret counts */
  files: Record<string, string>;
  /** the values to mask in logs: every value of every Secret used, and the forms the files write them in */
  masked: string[];
  /** what cannot be turned into credentials (a missing key, unreadable JSON, a URL given twice), naming the Secret */
  errors: string[];
}

/** The sorted values of the annotations of `s` whose key starts with `prefix` (Tekton's SortAnnotations). */
export function annotatedUrls(s: CredSecret, prefix: string): string[] {
  return Object.entries(s.annotations ?? {}).filter(([k]) => k.startsWith(prefix)).map(([, v]) => v).sort();
}

/** A Secret name usable as a file name (`id_<name>`): a Kubernetes name, never a path. */
function plainName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name);
}

/** What the Secrets give, gathered in the ServiceAccount's order. */
interface Gathered {
  basicGit: BasicGitEntry[];
  ssh: SshGitEntry[];
  basicDocker: BasicDockerEntry[];
  configs: DockerConfigSource[];
  errors: string[];
  masked: Set<string>;
}

/** Adds what Secret `s` gives to `g`, as creds-init's git and docker builders match it. */
function gather(s: CredSecret, g: Gathered): void {
  const git = annotatedUrls(s, 'tekton.dev/git-');
  const docker = annotatedUrls(s, 'tekton.dev/docker-');
  const need = (key: string): string | undefined => {
    const v = s.data[key];
    if (v === undefined) g.errors.push(`secret "${s.name}" of type ${s.type} has no "${key}" key`);
    return v;
  };
  if (s.type === BASIC_AUTH && (git.length || docker.length)) {
    const username = need('username');
    const password = need('password');
    if (username === undefined || password === undefined) return;
    for (const url of git) g.basicGit.push({ secret: s.name, url, username, password });
    for (const url of docker) g.basicDocker.push({ secret: s.name, url, username, password });
    for (const v of [escapeUserinfo(password), base64(`${username}:${password}`)]) g.masked.add(v);
  } else if (s.type === SSH_AUTH && git.length) {
    if (!plainName(s.name)) return void g.errors.push(`secret "${s.name}": its name cannot name a key file`);
    const privateKey = need('ssh-privatekey');
    if (privateKey === undefined) return;
    for (const url of git) g.ssh.push({ secret: s.name, url, privateKey, knownHosts: s.data['known_hosts'] });
  } else if (s.type === DOCKERCFG || s.type === DOCKERCONFIGJSON) {
    // creds-init takes every registry Secret of the account, annotated or not
    const key = s.type === DOCKERCFG ? '.dockercfg' : '.dockerconfigjson';
    const text = need(key);
    if (text !== undefined) g.configs.push({ secret: s.name, key, text });
  } else {
    return;
  }
  for (const v of Object.values(s.data)) g.masked.add(v);
}

/**
 * The files creds-init writes for `secrets` (in the ServiceAccount's order). `dir` is where steps
 * see the credentials directory (default /tekton/creds): `.ssh/config` names the keys there.
 */
export function credsInit(secrets: readonly CredSecret[], dir: string = CREDS_DIR): CredsInit {
  const g: Gathered = { basicGit: [], ssh: [], basicDocker: [], configs: [], errors: [], masked: new Set() };
  for (const s of secrets) gather(s, g);
  const { errors, masked } = g;
  const firsts = g.basicGit.filter((e, i) => {
    const first = g.basicGit.findIndex((o) => o.url === e.url) === i;
    if (!first) errors.push(`secret "${e.secret}": more than one basic-auth Secret annotated tekton.dev/git-* for ${e.url}`);
    return first;
  });
  const docker = dockerFiles(g.configs, g.basicDocker);
  errors.push(...docker.errors);
  // a registry's auth and password alone, as `.docker/config.json` shows them
  const merged = docker.files['.docker/config.json'];
  if (merged) for (const e of Object.values(JSON.parse(merged).auths as Record<string, { auth?: string; password?: string }>)) for (const v of [e.auth, e.password]) if (v) masked.add(v);
  const files = { ...docker.files, ...basicGitFiles(firsts), ...sshGitFiles(g.ssh, dir) };
  return { files, masked: [...masked], errors };
}
