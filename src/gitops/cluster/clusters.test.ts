import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clusterFor, clustersFromSecrets, IN_CLUSTER_SERVER } from './clusters.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (name: string, data: Record<string, string>, type = 'cluster') => ({ metadata: { name, labels: { 'argocd.argoproj.io/secret-type': type } }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });

describe('clusters registered by Secrets', () => {
  const { clusters, problems } = clustersFromSecrets([
    secret('prod', { server: 'https://prod.example:6443/', name: 'prod', config: JSON.stringify({ bearerToken: 't', tlsClientConfig: { caData: 'Q0E=' } }) }),
    secret('broken', { server: 'https://b.example', config: '{not json' }),
    secret('noserver', { name: 'x' }),
    secret('repo', { url: 'https://git.example' }, 'repository'),
  ]);

  it('reads server, name and config; reports broken ones', () => {
    assert.deepEqual(clusters, [{ server: 'https://prod.example:6443', name: 'prod', bearerToken: 't', tlsClientConfig: { caData: 'Q0E=' } }]);
    assert.equal(problems.length, 2);
    assert.match(problems[0], /Secret broken: data\.config is not JSON/);
    assert.match(problems[1], /Secret noserver: data\.server is missing/);
  });

  it('a destination by server or by name; in-cluster is kiln\'s own API', () => {
    const own = { server: 'https://127.0.0.1:7443' };
    assert.equal((clusterFor({ server: 'https://prod.example:6443' }, clusters, own) as { name: string }).name, 'prod');
    assert.equal((clusterFor({ name: 'prod' }, clusters, own) as { name: string }).name, 'prod');
    assert.equal(clusterFor({ server: IN_CLUSTER_SERVER }, clusters, own), own);
    assert.equal(clusterFor({ name: 'in-cluster' }, clusters, own), own);
    assert.match(clusterFor({ server: 'https://nowhere' }, clusters, own) as string, /cluster https:\/\/nowhere is not registered/);
    assert.match(clusterFor({ server: IN_CLUSTER_SERVER, name: 'prod' }, clusters, own) as string, /server or name, not both/);
    assert.match(clusterFor({}, clusters, own) as string, /server or name is required/);
  });
});
