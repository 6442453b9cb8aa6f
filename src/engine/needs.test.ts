import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Step } from '../api/container.types.ts';
import type { TaskSpec } from '../api/task.types.ts';
import { networkNeeds, simpleCommands, splitWords } from './needs.ts';

const spec = (...steps: Step[]): TaskSpec => ({ steps });

test('networkNeeds', () => {
  const cases: Array<{ name: string; steps: Step[]; want: string[] }> = [
    { name: 'git clone', steps: [{ name: 'clone', script: 'git clone https://github.com/tektoncd/pipeline src' }], want: ['step "clone": runs "git clone https://github.com/tektoncd/pipeline src"'] },
    { name: 'git clone scp-like', steps: [{ name: 'c', script: 'git clone --depth 1 git@github.com:a/b.git' }], want: ['step "c": runs "git clone --depth 1 git@github.com:a/b.git"'] },
    { name: 'git clone of a local path', steps: [{ name: 'c', script: 'git clone /workspace/repo copy\ngit init && git commit -m x' }], want: [] },
    { name: 'git fetch remote name only', steps: [{ name: 'c', script: 'git fetch origin' }], want: [] },
    { name: 'git ls-remote', steps: [{ name: 'c', command: ['git'], args: ['ls-remote', 'https://example.com/r.git'] }], want: ['step "c": runs "git ls-remote https://example.com/r.git"'] },
    { name: 'curl', steps: [{ name: 'dl', script: '#!/bin/bash\nset -e\ncurl -fsSL https://example.com/x.tgz | tar xz' }], want: ['step "dl": runs "curl -fsSL https://example.com/x.tgz"'] },
    { name: 'curl in command substitution', steps: [{ name: 'dl', script: 'V="$(curl -s http://api.example.com/v)"' }], want: ['step "dl": runs "curl -s http://api.example.com/v"'] },
    { name: 'wget', steps: [{ name: 'w', script: 'wget -O - https://example.com' }], want: ['step "w": runs "wget -O - https://example.com"'] },
    { name: 'curl localhost (sidecar) is fine', steps: [{ name: 'probe', script: 'curl http://localhost:8080/ && curl 127.0.0.1:80' }], want: [] },
    { name: 'echo a URL is not a need', steps: [{ name: 'e', script: 'echo https://example.com\nprintf "%s" "curl https://x.y"\necho "see: git clone https://a.b/c"' }], want: [] },
    { name: 'commented out', steps: [{ name: 'c', script: '# curl https://example.com\necho hi # wget https://x.y' }], want: [] },
    { name: 'heredoc body is data', steps: [{ name: 'h', script: "cat > f <<'EOF'\ncurl https://example.com\nEOF\necho done" }], want: [] },
    { name: 'here-string is not a heredoc', steps: [{ name: 'h', script: 'cat <<< x\ncurl https://example.com' }], want: ['step "h": runs "curl https://example.com"'] },
    { name: 'pip install', steps: [{ name: 'p', script: 'pip install requests' }], want: ['step "p": runs "pip install requests"'] },
    { name: 'python -m pip', steps: [{ name: 'p', script: 'python3 -m pip install -r req.txt' }], want: ['step "p": runs "python3 -m pip install -r req.txt"'] },
    { name: 'pip offline', steps: [{ name: 'p', script: 'pip install --no-index ./pkg' }], want: [] },
    { name: 'npm install', steps: [{ name: 'n', script: 'cd app && npm ci' }], want: ['step "n": runs "npm ci"'] },
    { name: 'npm test is fine', steps: [{ name: 'n', script: 'npm test' }], want: [] },
    { name: 'apt-get with sudo and env', steps: [{ name: 'a', script: 'DEBIAN_FRONTEND=noninteractive sudo apt-get install -y jq' }], want: ['step "a": runs "DEBIAN_FRONTEND=noninteractive sudo apt-get install -y jq"'] },
    { name: 'apk add', steps: [{ name: 'a', script: 'apk add --no-cache git' }], want: ['step "a": runs "apk add --no-cache git"'] },
    { name: 'go get / go build', steps: [{ name: 'g', script: 'go get ./...\ngo build ./...' }], want: ['step "g": runs "go get ./..."'] },
    { name: 'registry tools', steps: [{ name: 'r', script: 'crane digest gcr.io/x\nskopeo copy docker://a docker://b\ndocker pull busybox\ndocker build .' }], want: ['step "r": runs "crane digest gcr.io/x"', 'step "r": runs "skopeo copy docker://a docker://b"', 'step "r": runs "docker pull busybox"'] },
    { name: 'kubectl', steps: [{ name: 'k', command: ['/usr/bin/kubectl'], args: ['get', 'pods'] }], want: ['step "k": runs "/usr/bin/kubectl get pods"'] },
    { name: 'kubectl client-only', steps: [{ name: 'k', script: 'kubectl version --client' }], want: [] },
    { name: 'sh -c in args', steps: [{ name: 's', command: ['sh'], args: ['-c', 'echo hi; wget https://example.com/f'] }], want: ['step "s": runs "wget https://example.com/f"'] },
    { name: 'python script is not read as shell', steps: [{ name: 'py', script: '#!/usr/bin/env python3\nimport os\nos.system("curl https://x.y")' }], want: [] },
    { name: 'unnamed step', steps: [{ script: 'curl https://example.com' }], want: ['step "unnamed-0": runs "curl https://example.com"'] },
    { name: 'image entrypoint (step-stream-results.yaml)', steps: [{ name: 'digest-step', image: 'gcr.io/go-containerregistry/crane', args: ['digest', 'mirror.gcr.io/bash'] }], want: ['step "digest-step": runs "crane digest mirror.gcr.io/bash" (the image\'s entrypoint)'] },
    { name: 'image entrypoint of an ordinary image', steps: [{ name: 'b', image: 'mirror.gcr.io/busybox@sha256:abc', args: ['echo', 'https://x.y'] }], want: [] },
    { name: 'git-init of a remote URL', steps: [{ name: 'clone', script: '/ko-app/git-init \\\n  -url "https://github.com/tektoncd/community.git" \\\n  -path "$DIR"' }], want: ['step "clone": runs "/ko-app/git-init -url \\"https://github.com/tektoncd/community.git\\" -path \\"$DIR\\""'] },
    { name: 'unsubstituted variable host is not judged', steps: [{ name: 'c', script: 'git clone $(params.url)' }], want: [] },
  ];
  for (const c of cases) assert.deepEqual(networkNeeds(spec(...c.steps)), c.want, c.name);
});

test('sidecars are read too', () => {
  assert.deepEqual(networkNeeds({ steps: [], sidecars: [{ name: 'reg', script: 'docker pull registry:2' }] }), ['sidecar "reg": runs "docker pull registry:2"']);
});

test('long commands are shortened', () => {
  const [need] = networkNeeds(spec({ name: 'l', script: `curl https://example.com/${'x'.repeat(200)}` }));
  assert.ok(need.endsWith('…"'));
  assert.ok(need.length < 120);
});

test('simpleCommands / splitWords', () => {
  assert.deepEqual(simpleCommands('a; b && c || d | e\nif curl x; then y; fi'), ['a', 'b', 'c', 'd', 'e', 'if curl x', 'then y', 'fi']);
  assert.deepEqual(splitWords(`a "b c" 'd e' f`), ['a', 'b c', 'd e', 'f']);
});
