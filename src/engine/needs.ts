// Why a task needs the network, read from what its steps and sidecars run. Conservative: only
// commands that reach a remote host when they run (an `echo https://…` is not a need).
import type { Sidecar, Step } from '../api/container.types.ts';
import type { TaskSpec } from '../api/task.types.ts';
import { stepName } from './steptemplate.ts';

type Rule = (argv: string[]) => boolean;

const REMOTE_URL = /^(https?|ftp|git|ssh|s3|gs):\/\/([^/:@]+@)?([^/:?#]+)|^[\w.-]+@([\w.-]+\.[a-z]{2,}):/i;
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[?::1\]?)$/i;

/** A URL (or scp-like `git@host:path`) that points off this machine. */
function isRemoteUrl(arg: string): boolean {
  const m = REMOTE_URL.exec(arg);
  if (!m) return false;
  const host = m[3] ?? m[4] ?? '';
  return !LOOPBACK.test(host) && !host.startsWith('$');
}

/** First non-option word after argv[0]. */
function subcommand(argv: string[]): string | undefined {
  return argv.slice(1).find((a) => !a.startsWith('-'));
}

const hasRemoteUrl: Rule = (argv) => argv.slice(1).some(isRemoteUrl);
const sub = (...names: string[]): Rule => (argv) => names.includes(subcommand(argv) ?? '');

/** Per command name: when an invocation needs the network. */
const RULES: Record<string, Rule> = {
  'git-init': hasRemoteUrl,
  git: (argv) => sub('clone', 'fetch', 'pull', 'push', 'ls-remote', 'submodule')(argv) && hasRemoteUrl(argv),
  curl: hasRemoteUrl,
  wget: hasRemoteUrl,
  pip: (argv) => sub('install', 'download')(argv) && !argv.includes('--no-index'),
  pip3: (argv) => sub('install', 'download')(argv) && !argv.includes('--no-index'),
  npm: (argv) => sub('install', 'i', 'ci', 'add', 'update', 'publish')(argv) && !argv.includes('--offline'),
  yarn: (argv) => argv.length === 1 || sub('install', 'add', 'upgrade')(argv),
  pnpm: sub('install', 'i', 'add', 'update'),
  'apt-get': sub('install', 'update', 'upgrade', 'dist-upgrade', 'download', 'source'),
  apt: sub('install', 'update', 'upgrade'),
  apk: (argv) => sub('add', 'update', 'upgrade', 'fetch')(argv) && !argv.includes('--no-network'),
  yum: sub('install', 'update', 'upgrade', 'makecache'),
  dnf: sub('install', 'update', 'upgrade', 'makecache'),
  go: (argv) => sub('get')(argv) || (sub('mod')(argv) && argv.includes('download')) || (sub('install')(argv) && argv.some((a) => /@[\w.-]+$/.test(a))),
  crane: (argv) => argv.length > 1,
  skopeo: sub('copy', 'inspect', 'sync', 'list-tags', 'login', 'delete'),
  docker: sub('pull', 'push', 'login', 'search'),
  podman: sub('pull', 'push', 'login', 'search'),
  buildah: sub('pull', 'push', 'login'),
  kubectl: (argv) => argv.length > 1 && !(subcommand(argv) === 'version' && argv.includes('--client')) && !argv.includes('--dry-run=client'),
  oc: (argv) => argv.length > 1,
  helm: sub('install', 'upgrade', 'pull', 'push', 'repo', 'dependency', 'uninstall', 'status', 'list'),
  gcloud: (argv) => argv.length > 1,
  ssh: (argv) => argv.length > 1,
  scp: (argv) => argv.slice(1).some((a) => /^[^/\s-][^/\s]*:/.test(a)),
};

const PREFIX_WORDS = new Set(['sudo', 'exec', 'time', 'nohup', 'command', 'env', 'then', 'else', 'do', 'if', 'elif', 'while', 'until', '!', '{', '(', 'xargs']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** The words of one simple command, with quotes removed (no expansion). */
export function splitWords(cmd: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const m of cmd.matchAll(re)) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

/** Drops leading `sudo`, `VAR=x`, `if`, `python -m`… so argv[0] is the program that runs. */
function programArgv(words: string[]): string[] {
  let i = 0;
  while (i < words.length && (PREFIX_WORDS.has(words[i]) || ASSIGNMENT.test(words[i]))) i++;
  const argv = words.slice(i);
  if (argv.length) argv[0] = argv[0].slice(argv[0].lastIndexOf('/') + 1);
  if (/^python[0-9.]*$/.test(argv[0] ?? '') && argv[1] === '-m') return argv.slice(2);
  return argv;
}

/** Shell text → simple commands, skipping comments and heredoc bodies (see {@link splitLine}). */
export function simpleCommands(script: string): string[] {
  const out: string[] = [];
  let heredoc: string | undefined;
  for (const line of script.replace(/\\\n/g, ' ').split('\n')) {
    if (heredoc !== undefined) {
      if (line.trim() === heredoc) heredoc = undefined;
      continue;
    }
    const text = line.trim();
    if (!text || text.startsWith('#')) continue;
    const h = /(?<!<)<<(?!<)-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?/.exec(text);
    if (h) heredoc = h[1];
    out.push(...splitLine(text));
  }
  return out;
}

/**
 * One line → simple commands: splits on `;`, `&`, `|` (and `&&`, `||`) outside quotes, and opens a
 * new command at `$(` or a backtick (also inside double quotes). Stops at an unquoted `#` comment.
 */
export function splitLine(line: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quote: '"' | "'" | undefined;
  const outer: Array<'"' | "'" | undefined> = []; // quote state around each open `$(`
  const flush = () => {
    const t = cur.trim();
    if (t) parts.push(t);
    cur = '';
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      cur += ch;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += ch + line[++i];
    } else if ((ch === '$' && line[i + 1] === '(') || ch === '`') {
      flush();
      if (ch === '$') {
        i++;
        outer.push(quote);
        quote = undefined;
      }
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (ch === '#' && /\s/.test(line[i - 1] ?? ' ')) {
      break;
    } else if (ch === ')' && outer.length) {
      flush();
      quote = outer.pop();
    } else if (ch === ';' || ch === '&' || ch === '|' || ch === ')') {
      flush();
    } else {
      cur += ch;
    }
  }
  flush();
  return parts;
}

/** The network need of one simple command, or undefined. */
export function commandNeed(cmd: string): string | undefined {
  const argv = programArgv(splitWords(cmd));
  const rule = argv.length ? RULES[argv[0]] : undefined;
  return rule && rule(argv) ? shorten(cmd) : undefined;
}

function shorten(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > 80 ? `${one.slice(0, 79)}…` : one;
}

function isShebangNonShell(script: string): boolean {
  const first = script.trimStart().split('\n', 1)[0];
  return first.startsWith('#!') && !/\b(sh|bash|ash|dash|zsh|ksh)\b/.test(first);
}

/** `gcr.io/go-containerregistry/crane:v1@sha256:…` → `crane`: the program an image's entrypoint likely runs. */
export function imageProgram(image: string): string {
  const noDigest = image.split('@')[0];
  const last = noDigest.slice(noDigest.lastIndexOf('/') + 1);
  return last.split(':')[0];
}

function containerNeeds(c: Step | Sidecar, who: string): string[] {
  const cmds: Array<{ cmd: string; note?: string }> = [];
  if (c.script && !isShebangNonShell(c.script)) cmds.push(...simpleCommands(c.script).map((cmd) => ({ cmd })));
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  const dashC = argv.findIndex((a) => a === '-c' || a === '-ec' || a === '-xc');
  if (dashC > 0 && /(^|\/)(ba|da|a|z)?sh$/.test(argv[0] ?? '') && argv[dashC + 1] !== undefined) {
    cmds.push(...simpleCommands(argv[dashC + 1]).map((cmd) => ({ cmd })));
  } else if (!c.script && c.command?.length) {
    cmds.push({ cmd: quoteArgv(argv) });
  } else if (!c.script && c.image) {
    cmds.push({ cmd: quoteArgv([imageProgram(c.image), ...argv]), note: ' (the image\'s entrypoint)' });
  }
  const out: string[] = [];
  for (const { cmd, note } of cmds) {
    const need = commandNeed(cmd);
    if (need) out.push(`${who}: runs ${JSON.stringify(need)}${note ?? ''}`);
  }
  return out;
}

function quoteArgv(argv: string[]): string {
  return argv.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ');
}

/**
 * Reasons a task needs the network, one per offending command, in step order:
 * `step "clone": runs "git clone https://github.com/x/y"`. Recognises git clone/fetch/pull/push/
 * ls-remote of a remote URL, curl/wget of a non-loopback URL, pip/npm/yarn/pnpm installs,
 * apt-get/apt/apk/yum/dnf installs and updates, `go get`/`go mod download`, registry tools
 * (crane, skopeo, docker/podman/buildah pull/push/login), kubectl/oc/helm/gcloud, ssh and scp.
 * A step with neither command nor script is judged by its image's name (`…/crane` + args).
 * Scripts with a non-shell shebang (python, node…) are not read.
 */
export function networkNeeds(spec: TaskSpec): string[] {
  const out: string[] = [];
  (spec.steps ?? []).forEach((s, i) => out.push(...containerNeeds(s, `step "${stepName(s, i)}"`)));
  (spec.sidecars ?? []).forEach((s, i) => out.push(...containerNeeds(s, `sidecar "${s.name || `unnamed-${i}`}"`)));
  return [...new Set(out)];
}
