// Builds kiln-step-enter (src/executor/process/dropper/kiln-step-enter.c) into build/ (or the
// path given), run by `npm ci` (the prepare script) and `npm run build:dropper`. Plain JavaScript: it may run on any
// Node. Without a C compiler and a static libc it only says so: kiln then drops each step's
// privileges with setpriv, as it did before (docs/decisions/0012, addendum "kiln-step-enter").
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const source = join(root, 'src/executor/process/dropper/kiln-step-enter.c');
const out = process.argv[2] ?? join(root, 'build/kiln-step-enter');
const cc = process.env.CC || 'cc';

function skip(why) {
  console.log(`kiln-step-enter not built (${why}): kiln as root drops each step with nsenter + setpriv instead (one or two more execs a step)`);
  process.exit(0);
}

if (process.platform !== 'linux') skip('not Linux');
mkdirSync(dirname(out), { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
const r = spawnSync(cc, ['-static', '-O2', '-s', '-Wall', '-Wextra', '-Werror', '-o', tmp, source], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
if (r.error) skip(`${cc}: ${r.error.code === 'ENOENT' ? 'no C compiler (apt-get install gcc libc6-dev)' : r.error.message}`);
if (r.status !== 0) {
  rmSync(tmp, { force: true });
  skip(`${cc} -static failed: ${r.stderr.trim().split('\n').slice(-1)[0] || `exit ${r.status}`}`);
}
renameSync(tmp, out);
// the stamp the executor compares with the source it runs beside (a stale build is not used)
writeFileSync(`${out}.sha256`, createHash('sha256').update(readFileSync(source)).digest('hex') + '\n');
console.log(`built ${out}`);
