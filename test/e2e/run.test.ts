// End-to-end: `kiln run` and `kiln validate` through the real CLI.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kiln, ROOT, tempDir, tempFile } from './helpers.ts';

const data = tempDir('kiln-data-');
const run = (args: string[], opts = {}) => kiln(['run', '--data-dir', data, ...args], opts);

describe('kiln run: the project examples', () => {
  for (const file of readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml'))) {
    it(`examples/${file} succeeds`, async () => {
      const r = await run(['-f', join('examples', file)]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /succeeded/);
    });
  }
});

describe('kiln run', () => {
  it('runs a lone Task with -p, streams logs with [step] prefixes and prints results', async () => {
    const r = await run(['-f', 'examples/hello.yaml', '-p', 'who=tester']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\[greet\] hello, tester!$/m);
    assert.match(r.stdout, /result greeting = hello, tester!/);
  });

  it('parses -p arrays and objects by the declared type', async () => {
    const f = tempFile('p.yaml', `apiVersion: tekton.dev/v1
kind: Task
metadata: {name: p}
spec:
  params:
    - {name: list, type: array}
    - name: obj
      properties: {a: {type: string}, b: {type: string}}
  steps:
    - image: alpine
      args: ["$(params.list[*])"]
      script: |
        echo "n=$# second=$2 a=$(params.obj.a) b=$(params.obj.b)"
`);
    const r = await run(['-f', f, '-p', 'list=x,y,z', '-p', 'obj=a:1,b:2']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /n=3 second=y a=1 b=2/);
  });

  it('binds -w to a host directory that keeps what the steps wrote', async () => {
    const out = join(tempDir(), 'out');
    const r = await run(['-f', 'examples/build-and-test.yaml', '-w', `source=${out}`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(existsSync(join(out, 'dist/greet')));
  });

  it('refuses unbound workspaces, naming them (exit 2)', async () => {
    const f = tempFile('ws.yaml', `apiVersion: tekton.dev/v1
kind: Task
metadata: {name: ws}
spec:
  workspaces: [{name: src}, {name: cache, optional: true}]
  steps: [{image: alpine, script: "true"}]
`);
    const r = await run(['-f', f]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /workspace\(s\) not bound: src\b/);
    assert.doesNotMatch(r.stderr, /cache/);
  });

  it('reports a failed step with its exit code and log tail (exit 1)', async () => {
    const f = tempFile('fail.yaml', `apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: fails}
spec:
  taskSpec:
    steps:
      - name: ok
        image: alpine
        script: echo fine
      - name: boom
        image: alpine
        script: |
          echo "about to fail"
          exit 7
      - name: never
        image: alpine
        script: echo never
`);
    const r = await run(['-f', f]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /failed step: boom \(exit code 7\)/);
    assert.match(r.stdout, /^ {4}about to fail$/m);
    assert.match(r.stdout, /"step-boom" exited with code 7/);
    assert.doesNotMatch(r.stdout, /\[never\]/);
  });

  it('fails a run that exceeds its timeout with TaskRunTimeout (exit 1)', async () => {
    const f = tempFile('slow.yaml', `apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: slow}
spec:
  timeout: 1s
  taskSpec:
    steps: [{name: sleep, image: alpine, script: "sleep 30"}]
`);
    const r = await run(['-f', f]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /TaskRunTimeout: TaskRun "slow" failed to finish within "1s"/);
  });

  it('prints only JSON on stdout with -o json', async () => {
    const r = await run(['-f', 'examples/hello.yaml', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const obj = JSON.parse(r.stdout);
    assert.equal(obj.kind, 'TaskRun');
    assert.equal(obj.status.conditions[0].reason, 'Succeeded');
    assert.match(r.stderr, /\[greet\] hello, world!/);
  });

  it('exits 3 when the run needs something this machine lacks', async () => {
    const f = tempFile('remote.yaml', `apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: remote}
spec:
  taskRef:
    resolver: nonesuch
    params: [{name: name, value: t}]
`);
    const r = await run(['-f', f]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /Unsupported: resolver "nonesuch" is not available in kiln \(available: bundles, cluster, git, http, hub\)/);
  });

  it('cancels cleanly on Ctrl-C and exits 130', async () => {
    const f = tempFile('long.yaml', `apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: long}
spec:
  taskSpec:
    steps: [{name: wait, image: alpine, script: "echo started; sleep 60"}]
`);
    const r = await run(['-f', f], {
      onSpawn(child: import('node:child_process').ChildProcess) {
        // once, when the step has printed (the run's own "▶ … started" line also says "started":
        // a second SIGINT means "quit at once")
        let sent = false;
        child.stdout!.on('data', (d: Buffer) => {
          if (sent || !String(d).includes('[wait] started')) return;
          sent = true;
          child.kill('SIGINT');
        });
      },
    });
    assert.equal(r.code, 130, r.stdout + r.stderr);
    assert.match(r.stdout, /TaskRunCancelled/);
  });
});

describe('invalid input: exit 2, file:line:col and field path, no stack trace', () => {
  const cases = [
    { name: 'broken YAML', text: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: x\n spec: [\n', want: /bad\.yaml:\d+:\d+: YAML: / },
    { name: 'missing steps', text: 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata:\n  name: r\nspec:\n  taskSpec: {}\n', want: /bad\.yaml:6:3: spec\.taskSpec\.steps: missing field/ },
    { name: 'wrong param type', text: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: x}\nspec:\n  params: [{name: p, type: array}]\n  steps: [{image: alpine, script: echo}]\n---\napiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec:\n  params:\n  - name: p\n    value: str\n  taskRef: {name: x}\n', want: /bad\.yaml:14:5: spec\.params\[0\]\.value: expected type "array", got "string"/ },
    { name: 'unknown task', text: 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec:\n  taskRef:\n    name: nope\n', want: /bad\.yaml:6:5: spec\.taskRef\.name: task "nope" not found/ },
    { name: 'negative timeout', text: 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec:\n  timeout: -1m\n  taskSpec:\n    steps: [{image: alpine, script: echo}]\n', want: /bad\.yaml:5:3: spec\.timeout: / },
    { name: 'missing image', text: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: x}\nspec:\n  steps:\n  - name: a\n    script: echo\n', want: /bad\.yaml:6:\d+: spec\.steps\[0\]\.image: missing field/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const f = tempFile('bad.yaml', c.text);
      const r = await run(['-f', f]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, c.want);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    });
  }

  it('unknown fields are errors for validate, run and apply (kubectl --validate=strict); --validate=warn|ignore relaxes', async () => {
    const f = tempFile('typo.yaml', 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: x}\nspec:\n  steps:\n  - image: alpine\n    script: echo ran\n    scirpt: echo\n');
    const where = /typo\.yaml:8:5: spec\.steps\[0\]\.scirpt: unknown field "scirpt"; did you mean "script"\?/;
    for (const args of [['validate'], ['validate', '--strict'], ['validate', '--validate=true'], ['run', '--data-dir', data], ['apply', '--server', 'http://127.0.0.1:9']]) {
      const r = await kiln([...args, '-f', f]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, where, args.join(' '));
      assert.doesNotMatch(r.stdout, /ran/, 'nothing ran');
    }
    const warn = await kiln(['validate', '--validate=warn', '-f', f]);
    assert.equal(warn.code, 0);
    assert.match(warn.stderr, where);
    const ignore = await kiln(['validate', '--validate=false', '-f', f]);
    assert.equal(ignore.code, 0);
    assert.doesNotMatch(ignore.stderr, /scirpt/);
    const ran = await run(['--validate=warn', '-f', f]);
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.match(ran.stdout, /ran/);
  });

  it('notes about v1beta1 input name the fields as the file spells them', async () => {
    const f = tempFile('beta.yaml', `apiVersion: tekton.dev/v1beta1
kind: PipelineRun
metadata: {name: beta}
spec:
  serviceAccountName: builder
  taskRunSpecs:
  - pipelineTaskName: a
    taskPodTemplate: {nodeSelector: {disk: ssd}}
  pipelineSpec:
    tasks:
    - name: a
      taskSpec:
        steps:
        - {name: s, image: alpine, script: echo hi, resources: {limits: {cpu: 1}}}
`);
    const r = await run(['-f', f]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const notes = r.stdout + r.stderr;
    assert.doesNotMatch(notes, /serviceAccountName/, 'the ServiceAccount is honoured (its credentials)');
    assert.match(notes, /beta\.yaml:8:\d+: spec\.taskRunSpecs\[0\]\.taskPodTemplate\.nodeSelector: accepted but not honoured/);
    assert.match(notes, /beta\.yaml:14:\d+: spec\.pipelineSpec\.tasks\[0\]\.taskSpec\.steps\[0\]\.resources: accepted but not honoured/);
    assert.doesNotMatch(notes, /podTemplate|computeResources|taskRunTemplate/, 'no v1 name for a v1beta1 field');
    // once per run: the images its steps name are not used by the process executor
    assert.equal(notes.match(/not in their images \(alpine\): the process executor ignores images/g)?.length, 1, notes);
  });

  it('a file that does not exist', async () => {
    const r = await run(['-f', '/nonexistent/file.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read \/nonexistent\/file\.yaml: no such file/);
  });

  it('logs are kept after the run', async () => {
    const r = await run(['-f', 'examples/hello.yaml', '-o', 'json']);
    const logDir = JSON.parse(r.stdout).status.logDir;
    assert.match(readFileSync(join(logDir, 'step-greet.log'), 'utf8'), /hello, world!/);
  });
});

describe('kiln run: every run counts, what to start, what is set aside', () => {
  const twoRuns = `apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: first-ok}
spec:
  taskSpec:
    steps: [{name: ok, image: alpine, script: "echo fine"}]
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: second-fails}
spec:
  taskSpec:
    steps: [{name: boom, image: alpine, script: "exit 4"}]
`;

  it('exits 1 when a run other than the first fails', async () => {
    const r = await run(['-f', tempFile('two.yaml', twoRuns)]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /failed step: boom \(exit code 4\)/);
  });

  it('kiln conformance: the first run decides, and the line says a later run failed', async () => {
    const dir = tempDir();
    tempFile('two.yaml', twoRuns, dir);
    const r = await kiln(['conformance', dir, '--data-dir', tempDir('kiln-conf-'), '--timeout', '60s']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^PASS two\.yaml \(Succeeded: .*\) \(later runs failed: TaskRun\/second-fails \(Failed\)\) \d+\.\ds$/m);
  });

  it('kiln conformance --images: the mapped references are replaced before the runs are created, and the summary and report say where', async () => {
    const dir = tempDir();
    const pinned = `up.example/tool@sha256:${'a'.repeat(64)}`;
    tempFile('pinned.yaml', `apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: pinned}\nspec:\n  taskSpec:\n    steps: [{image: "${pinned}", script: "echo ok"}]\n`, dir);
    tempFile('plain.yaml', 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: plain}\nspec:\n  taskSpec:\n    steps: [{image: alpine, script: "echo ok"}]\n', dir);
    const maps = tempDir();
    const map = tempFile('images.tsv', `# upstream → local\n${pinned}\tlocalhost/stand-in\n`, maps);
    const report = join(maps, 'report.md');
    const r = await kiln(['conformance', dir, '--data-dir', tempDir('kiln-conf-'), '--timeout', '60s', '--images', map, '--report', report]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^images: 1 file\\(s\\) ran with references replaced by ${map.replace(/[.]/g, '\\.')}$`, 'm'));
    assert.match(readFileSync(report, 'utf8'), new RegExp(`\\| pinned\\.yaml \\| PASS \\| Succeeded \\| images replaced: ${pinned.replace(/[.]/g, '\\.')} \\|`));
    const bad = tempFile('bad.tsv', 'only-one-field\n', maps);
    const refused = await kiln(['conformance', dir, '--data-dir', tempDir('kiln-conf-'), '--images', bad]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, new RegExp(`${bad.replace(/[.]/g, '\\.')}:1: expected "upstream-image replacement-image"`));
  });

  const tasksAndPipeline = `apiVersion: tekton.dev/v1
kind: Task
metadata: {name: one}
spec:
  steps: [{image: alpine, script: "echo task one"}]
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: two}
spec:
  steps: [{image: alpine, script: "echo task two"}]
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: both}
spec:
  tasks:
    - {name: a, taskRef: {name: one}}
    - {name: b, taskRef: {name: two}, runAfter: [a]}
`;

  it('starts the one Pipeline of a file with several Tasks; --task picks a Task', async () => {
    const f = tempFile('tp.yaml', tasksAndPipeline);
    const p = await run(['-f', f]);
    assert.equal(p.code, 0, p.stdout + p.stderr);
    assert.match(p.stdout, /pipelinerun both-run-\S+ succeeded/);
    const t = await run(['-f', f, '--task', 'two']);
    assert.equal(t.code, 0, t.stdout + t.stderr);
    assert.match(t.stdout, /task two/);
    assert.doesNotMatch(t.stdout, /task one/);
  });

  it('several Pipelines: exit 2 naming the candidates, --pipeline picks one', async () => {
    const f = tempFile('pp.yaml', `${tasksAndPipeline}---\n${tasksAndPipeline.split('---\n')[2].replace('name: both', 'name: only-one').replace(/ {4}- \{name: b.*\n/, '')}`);
    const r = await run(['-f', f]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /several Pipelines: pick one with --pipeline NAME\n\s+candidates: Pipeline\/both, Pipeline\/only-one/);
    const ok = await run(['-f', f, '--pipeline', 'only-one']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /pipelinerun only-one-run-\S+ succeeded/);
  });

  it('kinds kiln does not run are one "not applied here" note, for run and validate', async () => {
    const f = tempFile('rbac.yaml', `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: builder}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: builder}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: builder}
subjects: []
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {}
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: hi}
spec:
  steps: [{image: alpine, script: "echo hi"}]
`);
    const r = await run(['-f', f]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const notes = r.stderr.split('\n').filter((l) => l.includes('not applied here'));
    assert.deepEqual(notes, ['note: not applied here: Role/builder, RoleBinding/builder, Deployment/web (kinds kiln does not run)']);
    const v = await kiln(['validate', '-f', f]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stderr, /^note: not applied here: Role\/builder, RoleBinding\/builder, Deployment\/web/m);
    assert.match(v.stdout, /1 object\(s\) valid/);
  });
});

describe('static checks: errors before anything runs (exit 2, file:line, field path)', () => {
  const file = `apiVersion: tekton.dev/v1
kind: Task
metadata: {name: build}
spec:
  params: [{name: version}]
  workspaces: [{name: src}]
  results: [{name: digest}]
  steps: [{image: alpine, script: "printf d > $(results.digest.path)"}]
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: push}
spec:
  params: [{name: digest}]
  steps: [{image: alpine, script: "echo $(params.digest)"}]
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: release}
spec:
  workspaces: [{name: shared}]
  tasks:
    - name: build
      taskRef: {name: build}
      workspaces: [{name: source, workspace: shared}]
    - name: push
      taskRef: {name: push}
      runAfter: [biuld]
      params:
        - {name: digest, value: $(tasks.build.results.digset)}
        - {name: extra, value: x}
`;
  const want = [
    /rel\.yaml:23:7: spec\.tasks\[0\]\.params: task "build" requires param\(s\) not given: version/,
    /rel\.yaml:25:7: spec\.tasks\[0\]\.workspaces: declared workspace\(s\) of task "build" required but not bound: src/,
    /rel\.yaml:25:21: spec\.tasks\[0\]\.workspaces\[0\]\.name: workspace binding "source" does not match any declared workspace of task "build"/,
    /rel\.yaml:28:18: spec\.tasks\[1\]\.runAfter\[0\]: .*"biuld", which is not a task of the pipeline/,
    /rel\.yaml:30:26: spec\.tasks\[1\]\.params\[0\]\.value: invalid result reference in pipeline task "push": "digset" is not a named result returned by pipeline task "build"/,
    /warning: .*rel\.yaml:31:12: spec\.tasks\[1\]\.params\[1\]\.name: param "extra" is not declared by task "push"/,
  ];

  it('kiln validate reports every one', async () => {
    const r = await kiln(['validate', '-f', tempFile('rel.yaml', file)]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    for (const w of want) assert.match(r.stderr, w);
  });

  it('kiln run reports them and runs nothing', async () => {
    const r = await run(['-f', tempFile('rel.yaml', file), '-w', `shared=${tempDir()}`]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    for (const w of want) assert.match(r.stderr, w);
    assert.doesNotMatch(r.stdout, /started/);
  });

  it('a TaskRun of the file missing a required param runs when -p gives it', async () => {
    const f = tempFile('tr.yaml', 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: need}\nspec:\n  params: [{name: who}]\n  steps: [{image: alpine, script: "echo hi $(params.who)"}]\n---\napiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: need-run}\nspec:\n  taskRef: {name: need}\n');
    const r = await run(['-f', f, '-p', 'who=there']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /hi there/);
  });

  it('a missing required param of the Task to start: exit 2 with a -p hint, before it runs', async () => {
    const f = tempFile('need.yaml', 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: need}\nspec:\n  params: [{name: who}]\n  steps: [{image: alpine, script: "echo $(params.who)"}]\n');
    const r = await run(['-f', f]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /taskrun need-run-: spec\.params: task "need" requires param\(s\) not given: who\n\s+give params with -p NAME=VALUE/);
    assert.doesNotMatch(r.stdout, /started/);
  });
});
