// The dashboard's pure helpers (no DOM), run by node: list selectors, links, log text, failures.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pageLink, parseHash, runFieldSelector } from '../../dashboard/src/lists.ts';
import { firstErrorLine, logFileText, nextHit, searchLines, stripAnsi, type LogLine } from '../../dashboard/src/logtext.ts';
import { failedStep, logTail } from '../../dashboard/src/explain.ts';
import type { KObj } from '../../dashboard/src/api.ts';

const lines = (...texts: string[]): LogLine[] => texts.map((line, i) => ({ step: i < 2 ? 'build' : 'test', line, at: Date.UTC(2026, 0, 1, 0, 0, i) }));

describe('dashboard lists and links', () => {
  it('asks the server for the Pipeline (Task) and status filters as a field selector', () => {
    assert.equal(runFieldSelector('pipelineruns', '', ''), '');
    assert.equal(runFieldSelector('pipelineruns', ' ci ', 'Failed'), 'spec.pipelineRef.name=ci,status.state=Failed');
    assert.equal(runFieldSelector('taskruns', 'lint', ''), 'spec.taskRef.name=lint');
    assert.equal(runFieldSelector('taskruns', 'a,b=c\\d', ''), 'spec.taskRef.name=a\\,b\\=c\\\\d');
  });

  it('parses a deep link into segments and query, and builds one back', () => {
    const link = pageLink('runs', 'team a', 'build/1');
    assert.equal(link, '#/runs/team%20a/build%2F1');
    assert.deepEqual(parseHash(link).path, ['runs', 'team a', 'build/1']);
    const q = parseHash('#/taskruns?namespace=ci&status=Failed');
    assert.deepEqual(q.path, ['taskruns']);
    assert.equal(q.query.get('status'), 'Failed');
    assert.deepEqual(parseHash('').path, ['']);
    assert.deepEqual(parseHash('#/').path, ['']);
    assert.deepEqual(parseHash('#/runs/%E0%A4%A').path, ['runs', '%E0%A4%A'], 'a malformed escape is kept, not thrown');
  });
});

describe('dashboard log text', () => {
  it('strips colours, cursor codes and OSC links', () => {
    assert.equal(stripAnsi('\u001b[1;32mok\u001b[0m done'), 'ok done');
    assert.equal(stripAnsi('\u001b[2K\u001b[1Gprogress'), 'progress');
    assert.equal(stripAnsi('\u001b]8;;https://x.test\u0007link\u001b]8;;\u0007'), 'link');
    assert.equal(stripAnsi('plain'), 'plain');
  });

  it('searches case-insensitively through colours', () => {
    const l = lines('Compiling', 'err\u001b[31mor\u001b[0m here', 'ERROR again', 'fine');
    assert.deepEqual(searchLines(l, 'error'), [1, 2]);
    assert.deepEqual(searchLines(l, ''), []);
    assert.deepEqual(searchLines(l, 'nothing'), []);
  });

  it('finds the first error line, and none in a clean log', () => {
    assert.equal(firstErrorLine(lines('ok', 'still ok', 'npm ERR! but not yet', 'Error: boom')), 3);
    assert.equal(firstErrorLine(lines('building', 'E0101 12:00 something broke')), 1);
    assert.equal(firstErrorLine(lines('\u001b[31mfatal\u001b[0m: not a git repository')), 0);
    assert.equal(firstErrorLine(lines('0 errors', 'terror', 'all good')), -1);
  });

  it('steps through matches forwards and backwards, wrapping', () => {
    assert.equal(nextHit(3, 2, false), 0);
    assert.equal(nextHit(3, 0, true), 2);
    assert.equal(nextHit(0, 0, false), 0);
  });

  it('downloads [step] lines without colours, with times when shown', () => {
    const l = lines('\u001b[32mok\u001b[0m', 'two');
    assert.equal(logFileText(l), '[build] ok\n[build] two\n');
    assert.equal(logFileText(l, true).split('\n')[1], '2026-01-01T00:00:01.000Z [build] two');
  });
});

describe('dashboard failure explanation', () => {
  const tr = (steps: unknown[]): KObj => ({ metadata: { name: 'x' }, status: { steps } });

  it('names the step with a non-zero exit code, else the one ended for another reason', () => {
    assert.deepEqual(failedStep(tr([{ name: 'a', terminated: { exitCode: 0, reason: 'Completed' } }, { name: 'b', terminated: { exitCode: 3, reason: 'Error' } }])), { name: 'b', exitCode: 3, reason: 'Error' });
    assert.deepEqual(failedStep(tr([{ name: 'a', terminated: { exitCode: 0, reason: 'Completed' } }, { name: 'b', terminated: { exitCode: 0, reason: 'TaskRunTimeout' } }])), { name: 'b', exitCode: 0, reason: 'TaskRunTimeout' });
    assert.equal(failedStep(tr([{ name: 'a', running: {} }])), undefined);
    assert.equal(failedStep(undefined), undefined);
  });

  it('keeps the last lines of the failed step', () => {
    const l = lines('b1', 'b2', 't1', 't2', 't3');
    assert.deepEqual(logTail(l, 'test', 2).map((x) => x.line), ['t2', 't3']);
    assert.deepEqual(logTail(l, 'build', 5).map((x) => x.line), ['b1', 'b2']);
    assert.deepEqual(logTail(l, undefined, 1).map((x) => x.line), ['t3']);
  });
});
