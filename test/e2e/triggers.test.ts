// End-to-end: a signed GitHub push reaches `kiln serve`'s webhook sink and starts a PipelineRun
// whose params come from the payload; forged, unsigned, oversized and redelivered events start nothing.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kiln, tempDir } from './helpers.ts';
import { api, startServe, until, type Served } from './serve-helpers.ts';

/** the webhook secret the example's Secret holds */
const SECRET = 'change-me';

const EXAMPLE = 'examples/triggers/github-push.yaml';

const PUSH = JSON.stringify({
  ref: 'refs/heads/main',
  head_commit: { id: '9fceb02d0ae598e95dc970b74767f19372d61af8', message: 'fix' },
  repository: { full_name: 'acme/app', clone_url: 'https://example.test/acme/app.git' },
  pusher: { name: 'octocat' },
  commits: [{ added: ['a.go'], modified: [], removed: [] }],
});

const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

async function post(s: Served, body: string, headers: Record<string, string>): Promise<{ status: number; json: any }> {
  const res = await fetch(`${s.url}/hooks/default/github`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/**
 * The status of a POST the server may answer before it has read the whole body (then it closes
 * the connection, and the client's remaining writes fail: the answer is what counts).
 */
/** POSTs a body over the sink's limit; settles with the answer's status, or rejects when the connection fails first. */
function postOversized(s: Served, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${s.url}/hooks/default/github`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      reject(new Error(`the oversized POST failed before its answer was read (${e.code ?? e.message}): the server must read the body before it closes`));
    });
    req.end(body);
  });
}

const events = async (s: Served) => (await api(s, 'GET', '/api/v1/namespaces/default/events?labelSelector=triggers.tekton.dev/eventlistener=github')).json.items as any[];
const pipelineRuns = async (s: Served) => (await api(s, 'GET', '/apis/tekton.dev/v1/namespaces/default/pipelineruns')).json.items as any[];

const servers: Served[] = [];
after(async () => { for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL'); });

describe('triggers through kiln serve', () => {
  it('a signed GitHub push starts a PipelineRun with params from the payload; bad deliveries start nothing', async () => {
    const dataDir = tempDir('kiln-triggers-');
    const s = await startServe(dataDir);
    servers.push(s);
    const env = { KILN_HOME: dataDir };
    const applied = await kiln(['apply', '-f', EXAMPLE], { env });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const listed = await kiln(['get', 'el'], { env });
    assert.match(listed.stdout, /^github\s/m);

    // the dry run explains what would happen, creating nothing
    const payload = join(dataDir, 'push.json');
    writeFileSync(payload, PUSH);
    const tried = await kiln(['trigger', 'test', 'github', '--payload', payload, '-H', 'X-GitHub-Event: push', '-H', `X-Hub-Signature-256: ${sign(PUSH)}`], { env });
    assert.equal(tried.code, 0, tried.stdout + tried.stderr);
    assert.match(tried.stdout, /accepted: trigger on-push: would create PipelineRun\/build-\*/);
    assert.match(tried.stdout, /param revision = 9fceb02d0ae598e95dc970b74767f19372d61af8/);
    const unsignedTry = await kiln(['trigger', 'test', 'github', '--payload', payload, '-H', 'X-GitHub-Event: push'], { env });
    assert.equal(unsignedTry.code, 1);
    assert.match(unsignedTry.stdout, /rejected: .*no X-Hub-Signature-256 header set/);
    assert.equal((await pipelineRuns(s)).length, 0, 'a dry run creates nothing');

    // the real delivery
    const delivery = { 'x-github-event': 'push', 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958', 'x-hub-signature-256': sign(PUSH) };
    const accepted = await post(s, PUSH, delivery);
    assert.equal(accepted.status, 202);
    assert.deepEqual(Object.keys(accepted.json).sort(), ['eventID', 'eventListener', 'eventListenerUID', 'namespace']);
    assert.equal(accepted.json.eventListener, 'github');
    const run = await until('the triggered PipelineRun to finish', async () => {
      const prs = await pipelineRuns(s);
      return prs.find((p) => p.status?.conditions?.some((c: any) => c.type === 'Succeeded' && c.status !== 'Unknown'));
    });
    assert.equal(run.status.conditions[0].status, 'True', JSON.stringify(run.status));
    assert.equal(run.metadata.labels['triggers.tekton.dev/eventlistener'], 'github');
    assert.equal(run.metadata.labels['triggers.tekton.dev/trigger'], 'on-push');
    assert.equal(run.metadata.labels['triggers.tekton.dev/triggers-eventid'], accepted.json.eventID);
    const logs = await kiln(['logs', run.metadata.name], { env });
    assert.match(logs.stdout, /building https:\/\/example\.test\/acme\/app\.git at 9fceb02d0ae598e95dc970b74767f19372d61af8 for octocat/);

    // forged, unsigned, wrong event type: 202 as Tekton answers, but rejected and recorded
    const forged = await post(s, PUSH.replace('octocat', 'mallory'), { ...delivery, 'x-github-delivery': 'd-forged' });
    const unsigned = await post(s, PUSH, { 'x-github-event': 'push', 'x-github-delivery': 'd-unsigned' });
    const wrongKey = await post(s, PUSH, { 'x-github-event': 'push', 'x-github-delivery': 'd-wrong', 'x-hub-signature-256': sign(PUSH, 'guess') });
    const ping = await post(s, PUSH, { 'x-github-event': 'ping', 'x-github-delivery': 'd-ping', 'x-hub-signature-256': sign(PUSH) });
    for (const r of [forged, unsigned, wrongKey, ping]) assert.equal(r.status, 202);
    // redelivery of the accepted event
    const again = await post(s, PUSH, delivery);
    assert.equal(again.status, 202);
    // not JSON, an array, oversized: refused before any trigger runs
    assert.equal((await post(s, 'not json', {})).status, 400);
    const arr = await post(s, '[1,2]', {});
    assert.equal(arr.status, 400);
    assert.match(arr.json.errorMessage, /^Invalid event body format : /);
    assert.equal(await postOversized(s, JSON.stringify({ pad: 'x'.repeat(11 * 1024 * 1024) }), delivery), 413);

    const recorded = await until('every delivery to be recorded', async () => {
      const evs = await events(s);
      return evs.length >= 6 ? evs : undefined;
    });
    const byDelivery = (id: string) => recorded.filter((e) => e.metadata.annotations?.['kiln.dev/delivery-id'] === `X-Github-Delivery:${id}`);
    assert.deepEqual(byDelivery('d-forged').map((e) => e.reason), ['TriggerRejected']);
    assert.match(byDelivery('d-forged')[0].message, /payload signature check failed/);
    assert.match(byDelivery('d-unsigned')[0].message, /no X-Hub-Signature-256 header set/);
    assert.match(byDelivery('d-wrong')[0].message, /payload signature check failed/);
    assert.match(byDelivery('d-ping')[0].message, /event type ping is not allowed/);
    assert.deepEqual(byDelivery('72d3162e-cc78-11e3-81ab-4c9367dc0958').map((e) => e.reason).sort(), ['DuplicateDelivery', 'TriggerAccepted']);
    assert.equal((await pipelineRuns(s)).length, 1, 'only the one signed, first delivery started a run');
    assert.equal(await s.stop(), 0);
  });
});
