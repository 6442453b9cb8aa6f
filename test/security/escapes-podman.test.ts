// The security suite (escape-suite.ts) on the podman executor: every step a container of its image in
// the attempt's pod (capabilities dropped, no-new-privileges, the pod a user namespace whose ids are
// 1,200,000,000 and up on the host). Needs root, podman and a static busybox for the local image;
// skipped, saying why, without them. Runs in `npm run test:containers` (podman calls one at a time).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { POD_USER_NAMESPACE } from '../../src/executor/podman/args.ts';
import { podmanWith } from '../../src/executor/podman/cli.ts';
import { podmanUnusable } from '../../src/executor/podman/executor.ts';
import { ensureBusyboxImage, notStatic } from '../../src/executor/podman/testimage.ts';
import { createWhich } from '../../src/executor/process/host.ts';
import { escapeSuite, isRoot } from './escape-suite.ts';

const which = createWhich();
const dir = mkdtempSync(join(tmpdir(), 'kiln-escapes-podman-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function skip(): string | false {
  if (!isRoot) return 'the security suite runs as root (as kiln serve usually does); this process is not root';
  if (!which('podman', process.env.PATH)) return 'podman is not installed (Debian packages podman, runc)';
  const busybox = which('busybox', process.env.PATH);
  if (!busybox) return 'busybox is not installed (Debian package busybox-static): no local step image';
  const why = notStatic(busybox) ?? podmanUnusable(dir);
  if (why) return `podman cannot run the steps here: ${why}`;
  // the steps' `image: busybox`, made on this machine (no registry is reachable)
  ensureBusyboxImage(podmanWith(dir), busybox, ['docker.io/library/busybox:latest']);
  return false;
}

escapeSuite({
  title: 'security: a step cannot escape its container (kiln serve --executor podman, as root)',
  skip: skip(),
  serveArgs: ['--executor', 'podman'],
  // both steps are root in their image: the pod's user namespace makes that an unprivileged host id
  uids: ['0', '0'],
  uidmap: `0-${POD_USER_NAMESPACE.base}-${POD_USER_NAMESPACE.size}`,
  // a container sees its image, not the host: these two meet the container's own files (its /home,
  // where the write probes just left their marks; its /usr/bin/env, which its root owns)
  notApplicable: {
    'list-home': "the container's /home is its image's (the host's is not there)",
    'chown-host': "the container's /usr/bin/env is its image's, owned by the container's root (host files: see the write checks)",
  },
});
