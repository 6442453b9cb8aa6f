// Stand-ins for the images Tekton's examples name, made on this machine for
// `kiln conformance … --executor podman`: no registry outside is reachable here, so each image is a
// static busybox userland plus the host's own interpreter (bash, python3, node, perl) with the
// libraries it loads, tagged with the names the examples use. Images the examples pin by digest
// cannot be tagged under that digest; conformance/images.tsv maps each such reference to its
// stand-in, and `kiln conformance --images conformance/images.tsv` uses the map (every run's report
// says it did). Usage: node conformance/images.ts   (prints one line per image; exit 1 on failure)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { podmanWith } from '../src/executor/podman/cli.ts';
import { createWhich } from '../src/executor/process/host.ts';
import { notStatic } from '../src/executor/podman/testimage.ts';
import { ensureHostImage, type HostImageSpec } from '../test/e2e/images.ts';

const which = createWhich();

/**
 * The bash and node images start with an entrypoint script (their CMD is `bash` / `node`): a
 * first argument that is an option goes to bash / node, anything else runs as a command. Tekton
 * resolves a step without `command` to ENTRYPOINT + args, so the stand-ins need one too.
 */
const ENTRYPOINT = '/usr/local/bin/docker-entrypoint.sh';
const BASH_ENTRYPOINT = '#!/usr/bin/bash\nset -e\nif [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then set -- bash "$@"; fi\nexec "$@"\n';
const NODE_ENTRYPOINT = '#!/bin/sh\nset -e\nif [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then set -- node "$@"; fi\nexec "$@"\n';

/**
 * alpine/git as authenticating-git-commands.yaml uses it: git (ENTRYPOINT, as the original's), the
 * ssh client and ssh-keygen, and sshd with what it needs to serve git over ssh as root: the `sshd`
 * user and /run/sshd of its privilege separation (Debian's sshd chroots there), root's shell
 * /bin/ash, root locked in /etc/shadow (`root:!`, as in alpine: the example unlocks it with sed)
 * and an sshd_config without PAM. sshd as root needs capabilities a container lacks by default:
 * the podman leg runs with `--step-capabilities kubernetes`.
 */
const GIT_PATHS = ['/usr/bin/git', '/usr/lib/git-core', '/usr/share/git-core/templates', '/usr/bin/ssh', '/usr/bin/ssh-keygen', '/usr/sbin/sshd'];
const GIT_LINKS = { '/usr/bin/git-upload-pack': 'git', '/usr/bin/git-receive-pack': 'git', '/usr/bin/git-upload-archive': 'git' };
const PASSWD = 'root:x:0:0:root:/root:/bin/ash\nsshd:x:100:65534:sshd:/run/sshd:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GIT_FILES = {
  '/etc/passwd': PASSWD,
  '/etc/shadow': 'root:!::0:::::\nsshd:!::0:::::\nnobody:!::0:::::\n',
  '/etc/group': 'root:x:0:\nnogroup:x:65534:\n',
  '/etc/nsswitch.conf': 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n',
  '/etc/ssh/sshd_config': 'UsePAM no\nPermitRootLogin prohibit-password\nKbdInteractiveAuthentication no\nPasswordAuthentication no\nHostKey /etc/ssh/ssh_host_rsa_key\n',
};
/** tektoncd/plumbing's alpine-git-nonroot: the same, with the user nonroot (uid 1000) owning /home/nonroot. */
const NONROOT_FILES = {
  ...GIT_FILES,
  '/etc/passwd': `${PASSWD}nonroot:x:1000:1000:nonroot:/home/nonroot:/bin/ash\n`,
  '/etc/group': 'root:x:0:\nnogroup:x:65534:\nnonroot:x:1000:\n',
};

/** Each stand-in: its local name first, then the upstream names it is tagged with. */
function specs(): Array<HostImageSpec & { needs: string[] }> {
  return [
    // alpine's and busybox's userland is busybox itself
    { names: ['localhost/kiln-conformance/alpine', 'mirror.gcr.io/alpine'], paths: [], needs: [], changes: ['CMD ["/bin/sh"]'] },
    { names: ['localhost/kiln-conformance/busybox', 'mirror.gcr.io/busybox'], paths: [], needs: [], changes: ['CMD ["sh"]'] },
    { names: ['localhost/kiln-conformance/ubuntu', 'mirror.gcr.io/ubuntu'], paths: ['/usr/bin/bash'], needs: ['/usr/bin/bash'], changes: ['CMD ["/bin/bash"]'], links: { '/bin/bash': '/usr/bin/bash' } },
    { names: ['localhost/kiln-conformance/bash', 'mirror.gcr.io/bash'], paths: ['/usr/bin/bash'], needs: ['/usr/bin/bash'], files: { [ENTRYPOINT]: BASH_ENTRYPOINT }, changes: [`ENTRYPOINT ["${ENTRYPOINT}"]`, 'CMD ["bash"]'], links: { '/usr/local/bin/bash': '/usr/bin/bash' } },
    { names: ['localhost/kiln-conformance/python', 'mirror.gcr.io/python:3.12.4', 'mirror.gcr.io/library/python'], paths: ['/usr/bin/python3', '/usr/bin/python3.11', '/usr/lib/python3.11'], needs: ['/usr/bin/python3', '/usr/bin/python3.11', '/usr/lib/python3.11'], changes: ['CMD ["python3"]'], links: { '/usr/local/bin/python3': '/usr/bin/python3', '/usr/bin/python': '/usr/bin/python3' } },
    { names: ['localhost/kiln-conformance/node'], paths: ['/usr/bin/node'], needs: ['/usr/bin/node'], files: { [ENTRYPOINT]: NODE_ENTRYPOINT }, changes: [`ENTRYPOINT ["${ENTRYPOINT}"]`, 'CMD ["node"]'], links: { '/usr/local/bin/node': '/usr/bin/node' } },
    // Tekton's nop image: an ENTRYPOINT and no CMD, the case entrypoint-resolution.yaml looks up
    { names: ['localhost/kiln-conformance/nop'], paths: [], needs: [], files: { '/ko-app/nop': '#!/bin/sh\necho "Build successful"\n' }, changes: ['ENTRYPOINT ["/ko-app/nop"]'] },
    { names: ['localhost/kiln-conformance/perl'], paths: ['/usr/bin/perl'], needs: ['/usr/bin/perl'], changes: ['CMD ["perl"]'] },
    { names: ['localhost/kiln-conformance/alpine-git', 'mirror.gcr.io/alpine/git:v2.26.2'], paths: GIT_PATHS, needs: GIT_PATHS, files: GIT_FILES, links: GIT_LINKS, dirs: ['/run/sshd', '/var/log'], changes: ['ENTRYPOINT ["git"]', 'CMD ["--help"]'] },
    { names: ['localhost/kiln-conformance/alpine-git-nonroot', 'ghcr.io/tektoncd/plumbing/alpine-git-nonroot:latest'], paths: GIT_PATHS, needs: GIT_PATHS, files: NONROOT_FILES, links: GIT_LINKS, dirs: ['/run/sshd', '/var/log', '/home/nonroot'], owners: { '/home/nonroot': [1000, 1000] }, changes: ['USER 1000', 'ENTRYPOINT ["git"]', 'CMD ["--help"]'] },
  ];
}

function main(): number {
  const busybox = which('busybox', process.env.PATH);
  if (!busybox) return fail('busybox is not installed (Debian package busybox-static)');
  const dynamic = notStatic(busybox);
  if (dynamic) return fail(dynamic);
  const dir = mkdtempSync(join(tmpdir(), 'kiln-conformance-images-'));
  try {
    return make(podmanWith(dir), busybox);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function make(p: ReturnType<typeof podmanWith>, busybox: string): number {
  let code = 0;
  for (const { needs, ...spec } of specs()) {
    const missing = needs.filter((f) => !existsSync(f));
    if (missing.length) {
      console.log(`${spec.names[0]}: not made, the host lacks ${missing.join(', ')}`);
      code = 1;
      continue;
    }
    ensureHostImage(p, busybox, spec);
    console.log(`${spec.names[0]}: busybox${[...spec.paths, ...Object.keys(spec.files ?? {})].map((f) => ` + ${f}`).join('')}${spec.names.length > 1 ? ` (${spec.names.slice(1).join(', ')})` : ''}`);
  }
  return code;
}

function fail(why: string): number {
  console.error(`conformance images: ${why}`);
  return 1;
}

process.exitCode = main();
