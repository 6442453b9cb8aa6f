// JUnit reports a real TaskRun's step writes to its workspace, through the controller and the
// process executor: read into status.testReports (a planted link refused, secrets masked) and
// emitted as schema-valid test CDEvents.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Secret } from '../../api/core.types.ts';
import type { Task } from '../../api/task.types.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { ANNOTATION_JUNIT_FILES } from '../../api/junitfiles.ts';
import { SECRET, TASK, TASKRUN } from '../../api/registry.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { Store } from '../../store/store.ts';
import { createProcessExecutor } from '../../executor/process/executor.ts';
import { createWhich } from '../../executor/process/host.ts';
import { LINK_REFUSED } from '../../executor/process/beneath.ts';
import { eventsOfRun } from '../../events/index.ts';
import { CDEventType } from '../../events/cdevent.ts';
import { cdeventSchemas } from '../../events/schemas.testing.ts';
import { createTaskRunController } from './controller.ts';

const NO_BWRAP = createWhich()('bwrap', process.env.PATH) ? false : 'bubblewrap (bwrap) is not installed';
const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-reports-run-'));
after(() => rmSync(base, { recursive: true, force: true }));
const outside = join(base, 'outside.xml');
writeFileSync(outside, '<testsuite name="outside"><testcase name="leaked"/></testsuite>');

const SECRET_VALUE = 'pw-8c1e77aa';
const SCRIPT = `
mkdir -p $(workspaces.source.path)/reports $(workspaces.source.path)/build/a
cat > $(workspaces.source.path)/reports/unit.xml <<XML
<testsuite name="unit"><testcase classname="app" name="ok"/><testcase classname="app" name="bad"><failure message="login with $PW failed"/></testcase></testsuite>
XML
echo '<testsuites><testsuite name="deep"><testcase name="skip"><skipped/></testcase></testsuite></testsuites>' > $(workspaces.source.path)/build/a/TEST-deep.xml
echo 'not xml <' > $(workspaces.source.path)/reports/broken.xml
ln -s ${outside} $(workspaces.source.path)/reports/planted.xml
`;

const task: Task = {
  apiVersion: 'tekton.dev/v1', kind: 'Task',
  metadata: { name: 'unit-tests', namespace: 'default', annotations: { [ANNOTATION_JUNIT_FILES]: 'source/reports/*.xml, source/**/TEST-*.xml, nope/x.xml' } },
  spec: {
    workspaces: [{ name: 'source' }],
    steps: [{ name: 'test', image: 'busybox', script: SCRIPT, env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'pw', key: 'pw' } } }] }],
  },
} as Task;

async function finished(store: Store, name: string): Promise<TaskRun> {
  for (;;) {
    const run = await store.get<TaskRun>(TASKRUN, 'default', name);
    const c = run.status?.conditions?.find((x) => x.type === 'Succeeded');
    if (c && c.status !== 'Unknown') return run;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a step\'s JUnit files in a workspace (declared on the Task) become status.testReports and test CDEvents', { skip: NO_BWRAP, timeout: 60_000 }, async () => {
  const store = createMemoryStore();
  const executor = createProcessExecutor({ dataDir: mkdtempSync(join(base, 'd')), graceMs: 500 });
  const controller = createTaskRunController({ store, executor });
  await controller.start();
  try {
    await store.create(SECRET, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pw', namespace: 'default' }, data: { pw: Buffer.from(SECRET_VALUE).toString('base64') } } as Secret);
    await store.create(TASK, task);
    await store.create(TASKRUN, {
      apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'unit', namespace: 'default' },
      spec: { taskRef: { name: 'unit-tests' }, workspaces: [{ name: 'source', emptyDir: {}, subPath: 'src' }] },
    } as TaskRun);
    const run = await finished(store, 'unit');
    assert.equal(run.status?.conditions?.[0].status, 'True', JSON.stringify(run.status?.conditions));
    const reports = run.status?.testReports ?? [];
    assert.deepEqual(reports.map((r) => [r.path, r.suites?.map((s) => s.name), !!r.error]), [
      ['nope/x.xml', undefined, true],
      ['/workspace/source/reports/broken.xml', undefined, true],
      ['/workspace/source/reports/planted.xml', undefined, true],
      ['/workspace/source/reports/unit.xml', ['unit'], false],
      ['/workspace/source/build/a/TEST-deep.xml', ['deep'], false],
    ]);
    assert.equal(reports[2].error, LINK_REFUSED);
    assert.match(reports[0].error ?? '', /no workspace "nope"/);
    assert.equal(reports[3].suites?.[0].cases[1].message, 'login with *** failed');
    const recorded = JSON.stringify(run);
    assert.ok(!recorded.includes(SECRET_VALUE) && !recorded.includes('leaked'), recorded);

    const events = eventsOfRun(run, { source: '/kiln/test', apiBase: 'https://kiln.example' }).filter((e) => /test(suite|case)run/.test(e.context.type));
    assert.deepEqual(events.map((e) => e.context.type.replace(/^dev\.cdevents\.|\.\d+\.\d+\.\d+$/g, '')), [
      'testsuiterun.started', 'testcaserun.started', 'testcaserun.finished', 'testcaserun.started', 'testcaserun.finished', 'testsuiterun.finished',
      'testsuiterun.started', 'testcaserun.skipped', 'testsuiterun.finished',
    ]);
    assert.equal(events[4].subject.content.outcome, 'failure');
    const schemas = cdeventSchemas();
    if (schemas) for (const e of events) assert.deepEqual(schemas.errors(e), [], JSON.stringify(e));
    const started = eventsOfRun(run, { source: '/kiln/test', apiBase: 'https://kiln.example' }).find((e) => e.context.type === CDEventType.TaskRunStarted);
    assert.deepEqual(events[0].context.links, [{ linkType: 'PATH', from: { contextId: started?.context.id } }]);
  } finally {
    await controller.stop();
    await executor.close();
  }
});
