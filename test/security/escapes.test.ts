// The security suite (escape-suite.ts) on the process executor: needs root and bubblewrap; skipped,
// saying why, without them.
import { existsSync } from 'node:fs';
import { escapeSuite, isRoot } from './escape-suite.ts';

const hasBwrap = ['/usr/bin/bwrap', '/bin/bwrap', '/usr/local/bin/bwrap'].some(existsSync);

escapeSuite({
  title: 'security: a step cannot escape its sandbox (kiln serve as root)',
  skip: !isRoot ? 'the security suite runs as root (as kiln serve usually does); this process is not root'
    : !hasBwrap ? 'bubblewrap is not installed (apt-get install bubblewrap)' : false,
  serveArgs: [],
  uids: ['65534', '0'],
});
