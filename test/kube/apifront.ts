// The stand-in cluster's API address (test code): requests go to the API server (a `kiln serve`),
// except `pods/{name}/log`, which go to the node running the Pod (the test pod runner) — as a
// kube-apiserver proxies log requests to the kubelet. One address, so one kubeconfig reaches both.
import { createServer, request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ApiFront {
  /** the address a kubeconfig names */
  url: string;
  stop(): Promise<void>;
}

const LOG = /^\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+\/log$/;

/** Starts the front on a loopback port of its own; `apiUrl` and `nodeUrl` are plain http:// addresses. */
export async function startApiFront(o: { apiUrl: string; nodeUrl: string }): Promise<ApiFront> {
  const server = createServer(function forward(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://front').pathname;
    const to = new URL(req.url ?? '/', LOG.test(path) ? o.nodeUrl : o.apiUrl);
    const up = request(to, { method: req.method, headers: { ...req.headers, host: to.host } }, function answered(r) {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', (e) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'ServiceUnavailable', code: 502, message: `stand-in API front: ${to.origin}: ${e.message}` }));
    });
    // the caller going away (a watch stopped) ends the request upstream too
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
