// Secrets stay secret, end to end: what a run reads from a Secret is `***` in what kiln writes and
// shows (kiln run's summary, kiln logs, kiln describe, the API's log stream and objects), no run
// record or run file carries it in clear (only the Secret object itself, in the store), and the
// files kiln keeps are private to its user.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parse } from 'yaml';
import { kiln, tempDir } from '../e2e/helpers.ts';
import { startServe, until, type Served } from '../e2e/serve-helpers.ts';

const TOKEN = 'tok-e2e-4c0ffee5';
const CLEAR = [TOKEN, Buffer.from(TOKEN).toString('base64')];

// the token printed whole, in two writes (8 characters, a pause, the rest), in base64; written
// into a task result that a Pipeline result repeats
const FILE = `apiVersion: v1
kind: Secret
metadata: {name: deploy-key}
stringData: {token: ${TOKEN}}
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: leak}
spec:
  results: [{name: out}]
  steps:
    - name: print
      image: alpine
      env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: deploy-key, key: token}}}]
      script: |
        echo "token is $TOKEN"
        printf 'halves %s' "\${TOKEN%????????}"; sleep 0.2; printf '%s\\n' "\${TOKEN#????????}"
        echo "b64 $(printf %s "$TOKEN" | base64)"
        printf '%s' "$TOKEN" > $(results.out.path)
`;

const PIPELINE = `---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: p}
spec:
  results: [{name: out, value: $(tasks.leak.results.out)}]
  tasks: [{name: leak, taskRef: {name: leak}}]
`;

const TASKRUN = `---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: leak-run}
spec: {taskRef: {name: leak}}
`;

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

/** Every regular file under `dir`. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

function assertMasked(text: string, what: string): void {
  for (const clear of CLEAR) assert.ok(!text.includes(clear), `${what} shows ${clear}:\n${text}`);
}

const dirs: string[] = [];
const servers: Served[] = [];
after(async () => {
  for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('secrets stay secret', () => {
  it('kiln run: logs and results shown masked, nothing left in clear, a private data directory', async () => {
    const dir = tempDir('kiln-secrets-');
    dirs.push(dir);
    const file = join(dir, 'run.yaml');
    writeFileSync(file, FILE + PIPELINE);
    const data = join(dir, 'data'); // kiln creates it
    const r = await kiln(['run', '-f', file, '--data-dir', data]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = r.stdout + r.stderr;
    assertMasked(out, 'kiln run');
    for (const line of ['[leak/print] token is ***', '[leak/print] halves ***', '[leak/print] b64 ***']) assert.ok(out.includes(line), `${line} in\n${out}`);
    assert.match(out, /result out = \*\*\*$/m);
    assert.equal(mode(data), '700');
    assert.equal(mode(join(data, 'runs')), '700');
    const files = filesUnder(data);
    const logs = files.filter((f) => f.endsWith('.log'));
    assert.ok(logs.length > 0, files.join('\n'));
    for (const f of logs) assert.equal(mode(f), '600', f);
    for (const f of files) assertMasked(readFileSync(f, 'utf8'), f);
  });

  it('kiln serve: kiln logs, kiln describe, the API log stream and objects masked; the store holds the value only in the Secret; private files', async () => {
    const dir = tempDir('kiln-secrets-serve-');
    dirs.push(dir);
    const data = join(dir, 'data');
    const s = await startServe(data, []); // TLS and a token, as by default
    servers.push(s);
    const env = { KILN_HOME: data };
    const file = join(dir, 'run.yaml');
    writeFileSync(file, FILE + TASKRUN);
    const applied = await kiln(['apply', '-f', file], { env });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);

    const kc = parse(readFileSync(join(data, 'kubeconfig'), 'utf8'));
    const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64');
    const token = kc.users[0].user.token as string;
    const get = (path: string) => new Promise<string>((resolve, reject) => {
      const req = request(`${s.url}${path}`, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${path}: ${res.statusCode} ${body}`))));
      });
      req.on('error', reject);
      req.end();
    });
    const run = await until('the TaskRun to finish', async () => {
      const tr = JSON.parse(await get('/apis/tekton.dev/v1/namespaces/default/taskruns/leak-run'));
      return tr.status?.conditions?.some((c: { status: string }) => c.status !== 'Unknown') ? tr : undefined;
    });
    assert.equal(run.status.conditions[0].status, 'True', JSON.stringify(run.status));
    assert.deepEqual(run.status.results, [{ name: 'out', type: 'string', value: '***' }]);
    assertMasked(JSON.stringify(run), 'the TaskRun');

    const apiLog = await get('/apis/tekton.dev/v1/namespaces/default/taskruns/leak-run/log');
    assertMasked(apiLog, 'the API log stream');
    assert.match(apiLog, /token is \*\*\*/);
    assert.match(apiLog, /halves \*\*\*/);
    const logs = await kiln(['logs', 'leak-run'], { env });
    assert.equal(logs.code, 0, logs.stderr);
    assertMasked(logs.stdout + logs.stderr, 'kiln logs');
    assert.match(logs.stdout, /token is \*\*\*/);
    const described = await kiln(['describe', 'taskrun', 'leak-run'], { env });
    assert.equal(described.code, 0, described.stderr);
    assertMasked(described.stdout + described.stderr, 'kiln describe');

    // the store: the value is in the Secret's rows, nowhere else
    const db = new DatabaseSync(join(data, 'kiln.db'), { readOnly: true });
    try {
      for (const table of ['objects', 'events']) {
        const rows = db.prepare(`SELECT type, body FROM ${table}`).all() as Array<{ type: string; body: string }>;
        const holding = rows.filter((row) => CLEAR.some((c) => row.body.includes(c))).map((row) => row.type);
        assert.ok(holding.length > 0 || table === 'events', `${table}: the Secret itself is stored`);
        assert.ok(holding.every((t) => /secrets/.test(t)), `${table}: ${holding.join(', ')} carry the value`);
      }
    } finally {
      db.close();
    }
    for (const f of filesUnder(join(data, 'runs'))) assertMasked(readFileSync(f, 'utf8'), f);

    // private files: the directory, the store and its journal, credentials, logs, run directories
    assert.equal(mode(data), '700');
    for (const f of ['kiln.db', 'kiln.db-wal', 'kiln.db-shm', 'token', 'kubeconfig', 'tls/ca.key', 'tls/server.key']) assert.equal(mode(join(data, f)), '600', f);
    for (const d of ['tls', 'runs']) assert.equal(mode(join(data, d)), '700', d);
    const logFiles = filesUnder(join(data, 'runs')).filter((f) => f.endsWith('.log'));
    assert.ok(logFiles.length > 0);
    for (const f of logFiles) assert.equal(mode(f), '600', f);
    assert.equal(await s.stop('SIGTERM'), 0);
  });
});
