// End-to-end: `kiln run` gives a step the git credentials of its ServiceAccount's Secrets, as
// Tekton's creds-init does. A sidecar serves a private repository (over http behind Basic auth;
// over ssh with a non-root sshd); the step clones it with nothing but what creds-init wrote.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kiln, tempDir, tempFile } from './helpers.ts';
import { HTTP_SERVER, keyPair, makeRepoScript, sshd, sshdConfig, visibleNode } from './git-servers.ts';

const data = tempDir('kiln-creds-data-');
const run = (file: string) => kiln(['run', '--data-dir', data, '--step-network', 'none', '-f', file], { timeoutMs: 90_000 });
const NODE = visibleNode();
const SSHD = sshd();
/** The uid steps (and sidecars) run as: kiln as root drops them to nobody. */
const STEP_UID = process.getuid?.() === 0 ? 65534 : process.getuid?.() ?? 0;
const STEP_GID = process.getuid?.() === 0 ? 65534 : process.getgid?.() ?? 0;

const indent = (text: string, n: number) => text.split('\n').map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');
/** A step's wait for the sidecar's server: `cmd` retried (0.1 s apart, 15 s at most) until it succeeds. */
const retry = (cmd: string) => `i=0; until ${cmd} >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 150 ] || exit 9; sleep 0.1; done`;

describe('kiln run: credentials from the ServiceAccount (creds-init)', () => {
  it('a step clones a private repository over http with the basic-auth Secret of its ServiceAccount', { skip: NODE ? false : 'no node binary in the host directories steps see (/usr, /opt)' }, async () => {
    const password = `pw-${process.pid}-e2e`;
    const url = 'http://127.0.0.1:18418/private.git';
    const f = tempFile('creds-http.yaml', `apiVersion: v1
kind: Secret
metadata:
  name: git-basic
  annotations: {tekton.dev/git-0: "http://127.0.0.1:18418"}
type: kubernetes.io/basic-auth
stringData: {username: builder, password: ${password}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: build-bot}
secrets: [{name: git-basic}]
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: clone-http}
spec:
  serviceAccountName: build-bot
  taskSpec:
    sidecars:
    - name: git-http
      image: alpine/git
      script: |
${indent(makeRepoScript('/tmp/srv', 'private over http'), 8)}
        cat > /tmp/server.mjs <<'EOF'
${indent(HTTP_SERVER, 8)}
        EOF
        exec ${NODE} /tmp/server.mjs /tmp/srv 18418 builder ${password}
    steps:
    - name: clone
      image: alpine/git
      script: |
        set -e
        ${retry(`git ls-remote ${url}`)}
        # without the credentials creds-init wrote, the server refuses
        if HOME=/tmp GIT_TERMINAL_PROMPT=0 git ls-remote ${url} >/dev/null 2>&1; then echo "anonymous clone allowed"; exit 1; fi
        GIT_TERMINAL_PROMPT=0 git clone -q ${url} /tmp/out
        cat /tmp/out/README
        cat $(credentials.path)/.git-credentials
        cat "$HOME/.gitconfig"
`);
    const r = await run(f);
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 0, out);
    assert.match(out, /\[clone\] private over http$/m);
    // every value of the Secret is masked, as for any Secret a run reads
    assert.match(out, /\[clone\] http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:18418$/m, 'the credentials are masked in the log');
    assert.match(out, /\[clone\] \[credential "http:\/\/127\.0\.0\.1:18418"\]$/m);
    assert.ok(!out.includes(password), 'the password never reaches the output');
  });

  it('a step clones a private repository over ssh with the ssh-auth Secret of its ServiceAccount (known_hosts honoured)', { skip: !SSHD ? 'sshd is not installed (Debian package openssh-server)' : NODE ? false : 'no node binary in the host directories steps see (/usr, /opt)' }, async () => {
    const client = keyPair('kiln-e2e-client');
    const host = keyPair('kiln-e2e-host');
    const [type, key] = host.publicKey.split(' ');
    const url = 'ssh://sshuser@127.0.0.1:2222/tmp/srv/private.git';
    const f = tempFile('creds-ssh.yaml', `apiVersion: v1
kind: Secret
metadata:
  name: git-ssh
  annotations: {tekton.dev/git-0: "127.0.0.1:2222"}
type: kubernetes.io/ssh-auth
stringData:
  ssh-privatekey: |
${indent(client.privateKey, 4)}
  known_hosts: "[127.0.0.1]:2222 ${type} ${key}"
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ssh-bot}
secrets: [{name: git-ssh}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: sshd-passwd}
data:
  # sshd runs the login's commands with its passwd shell: the step user's own has none
  passwd: |
    root:x:0:0:root:/root:/bin/sh
    sshuser:x:${STEP_UID}:${STEP_GID}:sshuser:/tmp:/bin/sh
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: clone-ssh}
spec:
  serviceAccountName: ssh-bot
  taskSpec:
    volumes:
    - name: passwd
      configMap: {name: sshd-passwd}
    sidecars:
    - name: git-ssh
      image: alpine/git
      volumeMounts:
      - {name: passwd, mountPath: /etc/passwd, subPath: passwd}
      script: |
${indent(makeRepoScript('/tmp/srv', 'private over ssh'), 8)}
        cat > /tmp/srv/hostkey <<'EOF'
${indent(host.privateKey, 8)}
        EOF
        chmod 600 /tmp/srv/hostkey
        echo '${client.publicKey}' > /tmp/srv/authorized_keys
        cat > /tmp/srv/sshd_config <<'EOF'
${indent(sshdConfig(2222, '/tmp/srv'), 8)}
        EOF
        exec ${SSHD} -D -e -f /tmp/srv/sshd_config
    steps:
    - name: clone
      image: alpine/git
      script: |
        set -e
        # ssh takes ~ from the passwd entry, not from HOME: point it at the config creds-init wrote
        export GIT_SSH_COMMAND="ssh -F $HOME/.ssh/config -o BatchMode=yes"
        ${retry(`git ls-remote ${url}`)}
        git clone -q ${url} /tmp/out
        cat /tmp/out/README
        grep -c . $(credentials.path)/.ssh/known_hosts
`);
    const r = await run(f);
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 0, out);
    assert.match(out, /\[clone\] private over ssh$/m);
    assert.match(out, /\[clone\] 1$/m, 'known_hosts holds the Secret\'s one line (no key accepted on the way)');
  });
});
