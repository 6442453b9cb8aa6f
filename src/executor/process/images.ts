// What common images run when a step gives neither `command` nor `script`: kiln cannot read an
// image's config without a registry, so the process executor keeps a table of well-known images.

/** The parts of an image config that decide what a container runs. */
export interface ImageInfo {
  entrypoint?: string[];
  cmd?: string[];
  /**
   * the ENTRYPOINT is a `docker-entrypoint.sh`-style wrapper that runs `prog "$@"` when the first
   * argument is an option (or there is none), and otherwise execs its arguments; with
   * `ifNotCommand` it also prepends `prog` when the first argument is not a command (node's wrapper)
   */
  shim?: { prog: string; ifNotCommand?: boolean };
  /** busybox userland: `sh` means busybox's ash, applets stand in for missing host tools */
  busybox?: boolean;
}

const SHELL_IMAGE: ImageInfo = { cmd: ['sh'], busybox: true };

/**
 * Well-known images by repository (registry host, `library/`, tag and digest stripped).
 * A repository not listed is also tried by its last path component (`cgr.dev/chainguard/busybox`
 * → `busybox`).
 */
export const IMAGES: Readonly<Record<string, ImageInfo>> = {
  busybox: SHELL_IMAGE,
  alpine: { cmd: ['/bin/sh'], busybox: true },
  'wolfi-base': { cmd: ['/bin/sh', '-l'], busybox: true },
  bash: { entrypoint: ['docker-entrypoint.sh'], cmd: ['bash'], shim: { prog: 'bash' } },
  ubuntu: { cmd: ['/bin/bash'] },
  debian: { cmd: ['bash'] },
  fedora: { cmd: ['/bin/bash'] },
  ubi: { cmd: ['/bin/bash'] },
  'ubi-minimal': { cmd: ['/bin/bash'] },
  python: { cmd: ['python3'] },
  node: { entrypoint: ['docker-entrypoint.sh'], cmd: ['node'], shim: { prog: 'node', ifNotCommand: true } },
  golang: { cmd: ['bash'] },
  perl: { cmd: ['perl', '-de0'] },
  ruby: { cmd: ['irb'] },
  'alpine/git': { entrypoint: ['git'], cmd: ['--help'], busybox: true },
  'curlimages/curl': { entrypoint: ['/entrypoint.sh'], cmd: ['curl'], shim: { prog: 'curl' }, busybox: true },
  'bitnami/kubectl': { entrypoint: ['kubectl'], cmd: ['--help'] },
  'go-containerregistry/crane': { entrypoint: ['crane'] },
};

/** `mirror.gcr.io/library/busybox:1.36@sha256:…` → `busybox`; `gcr.io/x/y:1` → `x/y`. */
export function imageRepository(image: string): string {
  let ref = image.trim();
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) ref = ref.slice(0, colon);
  const parts = ref.split('/');
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0])) parts.shift();
  if (parts.length > 1 && parts[0] === 'library') parts.shift();
  return parts.join('/').toLowerCase();
}

/** The table entry for an image, or undefined when kiln does not know it. */
export function lookupImage(image: string, table: Readonly<Record<string, ImageInfo>> = IMAGES): ImageInfo | undefined {
  const repo = imageRepository(image);
  if (Object.hasOwn(table, repo)) return table[repo];
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  return Object.hasOwn(table, last) ? table[last] : undefined;
}

/**
 * What a step with no command and no script runs, with Tekton's rules: command = ENTRYPOINT;
 * with no ENTRYPOINT the CMD becomes the command (and `args` follow it); with an ENTRYPOINT and no
 * args, CMD is appended. Wrapper entrypoints (`shim`) are emulated. Returns undefined for an
 * unknown image. `isCommand` answers whether a word names an executable (for node's wrapper).
 */
export function imageArgv(info: ImageInfo | undefined, args: readonly string[], isCommand: (word: string) => boolean = () => true): string[] | undefined {
  if (!info) return undefined;
  const argv = info.entrypoint
    ? [...info.entrypoint, ...(args.length > 0 ? args : info.cmd ?? [])]
    : [...(info.cmd ?? []), ...args];
  if (!info.shim || !info.entrypoint) return argv.length > 0 ? argv : undefined;
  const rest = argv.slice(info.entrypoint.length);
  const first = rest[0];
  const prepend = first === undefined || first.startsWith('-') || (info.shim.ifNotCommand === true && !isCommand(first));
  return prepend ? [info.shim.prog, ...rest] : rest;
}
