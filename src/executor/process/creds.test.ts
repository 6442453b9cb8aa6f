// The plan's credentials (Tekton's creds-init files) reach /tekton/creds and /tekton/home of every
// step, 0600, with the sandbox and without it; no link a step planted is followed; nothing stays.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionPlan } from '../executor.ts';
import { runPlan, suitePlan, suiteStep } from '../suite.ts';
import { TrustedDirs } from './beneath.ts';
import { credsContent, removeCredentials, writeCredentials } from './creds.ts';
import { createProcessExecutor } from './executor.ts';
import { createWhich } from './host.ts';
import { attemptLayout } from './layout.ts';

const NO_BWRAP = createWhich()('bwrap', process.env.PATH) ? false : 'bubblewrap (bwrap) is not installed';
const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-creds-test-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

const PASSWORD = 'pw-creds-5d1c';
const CREDENTIALS: Record<string, string> = {
  '.gitconfig': '[credential]\n\thelper = store\n',
  '.git-credentials': `https://u:${PASSWORD}@git.example.com\n`,
  '.ssh/config': 'Host h\n    IdentityFile /tekton/creds/.ssh/id_k\n',
  '.ssh/id_k': 'KEY\n',
};

const SCRIPT = [
  'for f in .gitconfig .git-credentials .ssh/config .ssh/id_k; do',
  '  cmp "$HOME/$f" "$(credentials.path)/$f" && echo "same $f $(stat -c %a "$HOME/$f")"',
  'done',
  'echo "dir $(stat -c %a "$HOME/.ssh")"',
  'cat "$HOME/.git-credentials"',
  'ls "$(dirname "$(sed -n "s/.*IdentityFile //p" "$HOME/.ssh/config")")"',
].join('\n');

function plan(key: string, extra: Partial<ExecutionPlan> = {}): ExecutionPlan {
  return suitePlan(key, [suiteStep('a', SCRIPT.replaceAll('$(credentials.path)', '/tekton/creds')), suiteStep('b', 'cat "$HOME/.ssh/id_k"')], { credentials: CREDENTIALS, secrets: [PASSWORD], ...extra });
}

for (const [name, bwrap, skip] of [['in the sandbox', undefined, NO_BWRAP], ['without the sandbox', false, false]] as const) {
  describe(`credentials ${name}`, () => {
    test('every step finds them in HOME and /tekton/creds, 0600; the key path in .ssh/config exists; the password is masked', { skip }, async () => {
      const dataDir = join(base, `d${n++}`);
      mkdirSync(dataDir);
      const ex = createProcessExecutor({ dataDir, graceMs: 500, ...(bwrap === false ? { bwrap: false } : {}) });
      try {
        const p = plan(`creds${n}`);
        const { snap, logs } = await runPlan(ex, p);
        assert.equal(snap.outcome?.status, 'succeeded', logs.join('\n'));
        for (const f of ['.gitconfig', '.git-credentials', '.ssh/config', '.ssh/id_k']) assert.match(logs[0], new RegExp(`same ${f.replace('.', '\\.')} 600\n`));
        assert.match(logs[0], /dir 700\n/);
        assert.match(logs[0], /https:\/\/u:\*\*\*@git\.example\.com\n/);
        assert.ok(!logs[0].includes(PASSWORD));
        assert.match(logs[0], /\nid_k\n/);
        assert.equal(logs[1], 'KEY\n');
        // nothing is left once the attempt is over
        const layout = attemptLayout(dataDir, p);
        assert.equal(existsSync(layout.creds), false);
        assert.deepEqual(readdirSync(layout.home), []);
      } finally {
        await ex.close();
      }
    });
  });
}

describe('writing and removing credentials', () => {
  function fresh() {
    const dataDir = join(base, `w${n++}`);
    const layout = attemptLayout(dataDir, { id: 'ns/r/0', namespace: 'ns', taskRunName: 'r' });
    for (const d of [layout.home, layout.creds]) mkdirSync(d, { recursive: true });
    return layout;
  }
  test('a link planted in HOME is never followed, and the write fails naming it', () => {
    const layout = fresh();
    const outside = join(base, `outside${n++}`);
    mkdirSync(outside);
    symlinkSync(outside, join(layout.home, '.ssh'));
    const trusted = new TrustedDirs();
    try {
      assert.throws(() => writeCredentials(layout, plan('w'), trusted), /\/tekton\/home\/\.ssh is a symbolic link/);
    } finally {
      trusted.close();
    }
    assert.deepEqual(readdirSync(outside), []);
    rmSync(join(layout.home, '.gitconfig'));
    symlinkSync(join(outside, 'target'), join(layout.home, '.gitconfig'));
    const t2 = new TrustedDirs();
    try {
      assert.throws(() => writeCredentials({ ...layout }, { ...plan('w'), credentials: { '.gitconfig': 'x' } }, t2), /\/tekton\/home\/\.gitconfig is a symbolic link/);
    } finally {
      t2.close();
    }
    assert.equal(existsSync(join(outside, 'target')), false);
  });
  test("removal takes kiln's files away, leaves a step's own, and follows no link", () => {
    const layout = fresh();
    const trusted = new TrustedDirs();
    writeCredentials(layout, plan('w'), trusted);
    trusted.close();
    assert.equal(statSync(join(layout.creds, '.ssh', 'id_k')).mode & 0o777, 0o600);
    writeFileSync(join(layout.home, 'mine'), 'x');
    const outside = join(base, `outside${n++}`);
    mkdirSync(outside);
    for (const f of ['config', 'id_k']) writeFileSync(join(outside, f), 'host file');
    rmSync(join(layout.home, '.ssh'), { recursive: true });
    symlinkSync(outside, join(layout.home, '.ssh'));
    removeCredentials(layout, plan('w'));
    assert.deepEqual(readdirSync(layout.home).sort(), ['.ssh', 'mine']);
    assert.deepEqual(readdirSync(outside).sort(), ['config', 'id_k']);
  });
  test('without the sandbox, contents name the host credentials directory', () => {
    assert.equal(credsContent('IdentityFile /tekton/creds/.ssh/id_k\n', '/data/runs/a/creds/'), 'IdentityFile /data/runs/a/creds/.ssh/id_k\n');
    assert.equal(credsContent('IdentityFile /tekton/creds/.ssh/id_k\n'), 'IdentityFile /tekton/creds/.ssh/id_k\n');
  });
});
