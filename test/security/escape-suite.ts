// The security suite: a real `kiln serve` running as root, an ordinary TaskRun created through its
// API, and a step that tries every escape we know of. Each probe prints `PROBE <name> <verdict>`;
// the test asserts every verdict is `refused`, and checks the host side too (no file written,
// the victim's files unchanged). Run per executor: escapes.test.ts (process), escapes-podman.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { api, startServe, until, type Served } from '../e2e/serve-helpers.ts';
import { kiln } from '../e2e/helpers.ts';

export const isRoot = process.getuid?.() === 0;

const MARK = `kiln-escape-${randomBytes(6).toString('hex')}`;
const VICTIM_SECRET = `victim-${randomBytes(8).toString('hex')}`;

/** Top-level host directories a step must not write to (checked on the host afterwards). */
function topDirs(): string[] {
  return readdirSync('/', { withFileTypes: true })
    .filter((e) => e.isDirectory() && !['proc', 'sys', 'dev'].includes(e.name))
    .map((e) => `/${e.name}`);
}

/** The attacker's script: one `PROBE name verdict` line per attempt, `set +e` so every probe runs. */
const PROBES = String.raw`set +e
p() { echo "PROBE $ROLE$1 $2"; }
try() { name="$1"; shift; if "$@" >/dev/null 2>&1; then p "$name" ESCAPED; else p "$name" refused; fi; }
# controls: the probes below are meaningful only if these work
NC=nc; [ -x /tekton/bin/busybox ] && NC="/tekton/bin/busybox nc"
if $NC --help 2>&1 | grep -qi usage; then p control-nc works; else p control-nc missing; fi
p control-uidmap "$(head -n 1 /proc/self/uid_map | tr -s ' ' | sed 's/^ //' | tr ' ' '-')"
if echo x > /workspace/control-$(id -u); then p control-write-workspace works; else p control-write-workspace failed; fi
p control-uid "$(id -u)"
for d in $TOPS; do try "write:$d" sh -c "echo x > $d/$MARK"; done
try read-shadow cat /etc/shadow
try read-datadir-db cat "$DATADIR/kiln.db"
try list-datadir ls "$DATADIR/runs"
try read-other-datadir cat "$OTHER/token"
try read-victim-log cat "$VICTIM_LOG"
try list-victim-attempt ls "$VICTIM_DIR"
if grep -rqs "$VICTIM_SECRET" /tekton /workspace /tmp 2>/dev/null; then p find-victim-secret ESCAPED; else p find-victim-secret refused; fi
cap() { v=$(grep "^$1:" /proc/self/status | tr -d '\t' | cut -d: -f2); [ "$v" != "0000000000000000" ]; }
try cap-effective cap CapEff
try cap-permitted cap CapPrm
try cap-bounding cap CapBnd
nnp=$(grep '^NoNewPrivs:' /proc/self/status | tr -d '\t' | cut -d: -f2)
if [ "$nnp" = "1" ]; then p no-new-privs-off refused; else p no-new-privs-off ESCAPED; fi
try remount-rw mount -o remount,rw /usr
try mount-tmpfs mount -t tmpfs none /tekton/home
try umount umount /tekton/scripts
try sysctl-write sh -c 'echo 1 > /proc/sys/kernel/sysrq'
try read-kmem head -c 1 /dev/mem
try kill-kiln kill -0 "$KILNPID"
try api-loopback sh -c "printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' | $NC -w 2 127.0.0.1 $APIPORT | grep -q ' 200 '"
try list-root ls /root/.bashrc
try list-home sh -c 'ls -A /home | grep -q .'
try chown-host chown 0:0 /usr/bin/env
if command -v python3 >/dev/null; then try raw-socket python3 -c 'import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW)'; fi
echo PROBES-DONE`;

/** verdict prefixes: the step as kiln runs it by default, and one asking for runAsUser 0 */
const ROLES = ['', 'as-root:'];
const envOf = (env: Record<string, string>) => Object.entries(env).map(([name, value]) => ({ name, value }));

function attacker(env: Record<string, string>): unknown {
  return {
    apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'attacker', namespace: 'default' },
    spec: {
      taskSpec: {
        steps: [
          { name: 'probe', image: 'busybox', env: envOf({ ...env, ROLE: '' }), script: PROBES },
          // the same probes from a step that asks to be root (securityContext.runAsUser: 0)
          { name: 'probe-as-root', image: 'busybox', env: envOf({ ...env, ROLE: 'as-root:' }), script: PROBES, securityContext: { runAsUser: 0, runAsGroup: 0 } },
        ],
      },
    },
  };
}

function victim(): unknown {
  return {
    apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'victim', namespace: 'default' },
    spec: {
      workspaces: [{ name: 'w', emptyDir: {} }],
      taskSpec: { workspaces: [{ name: 'w' }], steps: [{ name: 'keep', image: 'busybox', script: `echo ${VICTIM_SECRET} > $(workspaces.w.path)/secret.txt; echo ${VICTIM_SECRET}` }] },
    },
  };
}

const finished = (tr: any) => tr?.status?.conditions?.some((c: any) => c.type === 'Succeeded' && c.status !== 'Unknown');

/** How the suite runs: kiln serve's extra flags, and the ids the two steps are inside (and their first uid_map line, when it is known). */
export interface EscapeSuiteOptions {
  title: string;
  skip: string | false;
  serveArgs: string[];
  uids: [string, string];
  uidmap?: string;
  /** probes that say nothing about the host here, with why (they are skipped, saying so) */
  notApplicable?: Record<string, string>;
}

/** The suite against one `kiln serve` (an executor's). */
export function escapeSuite(o: EscapeSuiteOptions): void {
describe(o.title, { skip: o.skip }, () => {
  let s: Served;
  let dataDir: string;
  let other: string;
  const verdicts = new Map<string, string>();
  let victimLog = '';

  before(async () => {
    // kiln's data dirs where a careless operator might put them: beneath a directory steps can see
    dataDir = mkdtempSync('/opt/kiln-security-data-');
    other = mkdtempSync('/opt/kiln-security-other-');
    writeFileSync(join(other, 'token'), 'other-instance-token\n');
    // the other instance registers its data dir as every kiln does when it starts
    const reg = await kiln(['run', '--data-dir', other, '-f', 'examples/hello.yaml'], { timeoutMs: 60_000 });
    assert.ok(reg.code === 0 || reg.code === 1, reg.stderr);
    s = await startServe(dataDir, ['--insecure-loopback-only', ...o.serveArgs]);
    const port = new URL(s.url).port;
    assert.equal((await api(s, 'POST', '/apis/tekton.dev/v1/namespaces/default/taskruns', victim())).status, 201);
    const v = await until('the victim TaskRun to finish', async () => {
      const tr = (await api(s, 'GET', '/apis/tekton.dev/v1/namespaces/default/taskruns/victim')).json;
      return finished(tr) ? tr : undefined;
    });
    victimLog = join(v.status.logDir, `${v.status.steps[0].container}.log`);
    const env = {
      TOPS: topDirs().join(' '), MARK, DATADIR: dataDir, OTHER: other, VICTIM_LOG: victimLog,
      VICTIM_DIR: join(v.status.logDir, '..'), VICTIM_SECRET, KILNPID: String(s.child.pid), APIPORT: port,
    };
    assert.equal((await api(s, 'POST', '/apis/tekton.dev/v1/namespaces/default/taskruns', attacker(env))).status, 201);
    await until('the attacker TaskRun to finish', async () => finished((await api(s, 'GET', '/apis/tekton.dev/v1/namespaces/default/taskruns/attacker')).json));
    const res = await fetch(`${s.url}/apis/tekton.dev/v1/namespaces/default/taskruns/attacker/log`);
    const log = await res.text();
    assert.equal(log.match(/PROBES-DONE/g)?.length, 2, `the probe script ran to its end in both steps:\n${log}`);
    for (const m of log.matchAll(/PROBE (\S+) (\S+)/g)) verdicts.set(m[1], m[2]);
  });

  after(async () => {
    if (s && s.child.exitCode === null) await s.stop('SIGKILL');
    for (const d of [dataDir, other]) if (d) rmSync(d, { recursive: true, force: true });
    for (const d of topDirs()) rmSync(join(d, MARK), { force: true });
  });

  test('controls: the probes ran where they could have succeeded', () => {
    // the API probe, run on the host itself, does reach the API
    const port = new URL(s.url).port;
    const onHost = spawnSync('sh', ['-c', `printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 2 127.0.0.1 ${port} | grep -q ' 200 '`]);
    assert.equal(onHost.status, 0, 'the API probe works from the host');
    for (const role of ROLES) {
      assert.equal(verdicts.get(`${role}control-nc`), 'works');
      assert.equal(verdicts.get(`${role}control-write-workspace`), 'works');
    }
    // the second step is root in its own user namespace (and nothing more, as the probes show)
    assert.deepEqual([verdicts.get('control-uid'), verdicts.get('as-root:control-uid')], o.uids);
    if (o.uidmap) for (const role of ROLES) assert.equal(verdicts.get(`${role}control-uidmap`), o.uidmap);
  });

  test('no write reaches a top-level host directory (checked on the host)', () => {
    const written = topDirs().filter((d) => existsSync(join(d, MARK)));
    assert.deepEqual(written, []);
  });

  const expected = [
    'read-shadow', 'read-datadir-db', 'list-datadir', 'read-other-datadir', 'read-victim-log', 'list-victim-attempt',
    'find-victim-secret', 'cap-effective', 'cap-permitted', 'cap-bounding', 'no-new-privs-off', 'remount-rw', 'mount-tmpfs',
    'umount', 'sysctl-write', 'read-kmem', 'kill-kiln', 'api-loopback', 'list-root', 'list-home', 'chown-host',
  ];
  for (const role of ROLES) {
    for (const probe of expected) {
      const name = role + probe;
      const na = o.notApplicable?.[probe];
      test(`refused: ${name}`, { skip: na ?? false }, () => assert.equal(verdicts.get(name), 'refused', `probe ${name}: ${verdicts.get(name) ?? 'did not run'}`));
    }
  }

  test('the victim\'s files are unchanged', () => {
    assert.match(readFileSync(victimLog, 'utf8'), new RegExp(VICTIM_SECRET));
  });

  test('every probe that ran was refused (none missing from the list above)', () => {
    // writes to / land in the sandbox's own tmpfs: they are judged on the host (first test), not here
    const judged = (k: string) => !/^(as-root:)?(write:|control-)/.test(k) && !o.notApplicable?.[k.replace(/^as-root:/, '')];
    const escaped = [...verdicts].filter(([k, v]) => judged(k) && v !== 'refused').map(([k]) => k);
    assert.deepEqual(escaped, []);
  });
});
}
