// One network per TaskRun attempt, as each pod has one on Kubernetes: a holder process owns a
// user namespace, a network namespace (loopback up) and an IPC namespace; every step and sidecar of the attempt
// joins it with nsenter before bwrap starts, so they share `localhost` with each other only. With
// outside access on, slirp4netns gives the namespace a user-mode network (NAT, no route to the
// host's loopback). Holder and slirp4netns are stopped when the attempt ends.
import { spawn, type ChildProcess } from 'node:child_process';

/** What starting a network needs from the host. */
export interface NetworkTools {
  unshare: string;
  nsenter: string;
  busybox: string;
  /** slirp4netns binary; undefined: no outside access */
  slirp?: string;
  /** kiln is root: a plain network namespace, joined by root before bwrap; else one owned by a user namespace of kiln's user */
  privileged: boolean;
}

/** A running attempt network. */
export interface AttemptNetwork {
  /** argv prefix that runs the rest inside the namespace (nsenter …) */
  enter: string[];
  /**
   * kiln root: the namespaces' files, which kiln-step-enter joins through descriptors opened for
   * each container instead of the `enter` prefix (dropper.ts)
   */
  ns?: { net: string; ipc: string };
  stop(): void;
}

const START_TIMEOUT_MS = 10_000;

/** Resolves once `child` wrote `token` to the stream `stream`, rejects when it exits first or times out. */
function waitFor(child: ChildProcess, stream: NodeJS.ReadableStream, token: string, what: string): Promise<void> {
  return new Promise(function wait(resolve, reject) {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`${what} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    function fail(e: Error): void {
      clearTimeout(timer);
      reject(e);
    }
    stream.on('data', function onData(d: Buffer) {
      seen += d.toString();
      if (seen.includes(token)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`${what} exited (${signal ?? code}) before it was ready${seen ? `: ${seen.trim()}` : ''}`)));
  });
}

function kill(child: ChildProcess | undefined): void {
  try {
    if (child?.pid) process.kill(child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Starts the attempt's network namespace (and, with `tools.slirp`, its outside access); the
 * returned `enter` prefix joins it. The holder reports ready only after unshare() has happened,
 * so no step can ever be pointed at the host's namespace by a race.
 */
export async function startNetwork(tools: NetworkTools): Promise<AttemptNetwork> {
  const bb = tools.busybox;
  // the attempt's IPC namespace too, shared by its steps and sidecars as a pod's containers share one
  // (measured: no faster than one per step — bench/taskrun.ts "joining its attempt network")
  const ns = tools.privileged ? ['--net', '--ipc'] : ['--user', '--map-root-user', '--net', '--ipc'];
  // the holder lives as long as its stdin, a pipe only kiln holds: if kiln dies (even kill -9),
  // the holder and with it the namespace go too
  const holder = spawn(tools.unshare, [...ns, '--', bb, 'sh', '-c', `${bb} ip link set lo up && echo ready && exec ${bb} cat >/dev/null`], {
    stdio: ['pipe', 'pipe', 'ignore'], detached: true,
  });
  let slirp: ChildProcess | undefined;
  const stop = () => {
    kill(slirp);
    kill(holder);
  };
  try {
    await waitFor(holder, holder.stdout!, 'ready', 'the attempt network holder');
    const pid = holder.pid!;
    if (tools.slirp) {
      // as kiln's own user (it opens /dev/net/tun), in slirp4netns' own sandbox and seccomp filter
      const userns = tools.privileged ? [] : [`--userns-path=/proc/${pid}/ns/user`];
      // --exit-fd: slirp4netns ends when kiln's end of that pipe closes (kiln gone, or stop())
      const args = ['--configure', '--mtu=65520', '--disable-host-loopback', '--enable-sandbox', '--enable-seccomp', ...userns, '--netns-type=path', '--ready-fd=3', '--exit-fd=4', `/proc/${pid}/ns/net`, 'tap0'];
      // As root, in a private copy of the mount namespace: slirp4netns' sandbox unmounts the old
      // root's mounts, and from the host's namespace that unmount reaches every shared mount's peers —
      // measured: podman's /run/netns/netns-* went, and the containers of every podman pod with its
      // own network on the machine failed with "unknown FS magic". (Unprivileged, its mount
      // namespace is a less privileged one, whose unmounts never propagate back.)
      const argv = tools.privileged ? [tools.unshare, '--mount', '--propagation', 'private', '--', tools.slirp, ...args] : [tools.slirp, ...args];
      slirp = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], detached: true });
      await waitFor(slirp, slirp.stdio[3] as NodeJS.ReadableStream, '1', 'slirp4netns');
    }
    // the ready pipes are done with: nothing of the network keeps kiln alive
    holder.stdout!.destroy();
    (slirp?.stdio[3] as NodeJS.ReadableStream & { destroy(): void } | undefined)?.destroy();
    // kiln's ends of the lifeline pipes stay open, but keep nothing alive
    (holder.stdin as unknown as { unref(): void }).unref();
    (slirp?.stdio[4] as unknown as { unref(): void } | undefined)?.unref();
    holder.unref();
    slirp?.unref();
    // busybox's nsenter (static, -F: no fork) costs ~2 ms less a step than util-linux's
    const enter = tools.privileged
      ? [bb, 'nsenter', `-n/proc/${pid}/ns/net`, `-i/proc/${pid}/ns/ipc`, '-F', '--']
      : [bb, 'nsenter', `-U/proc/${pid}/ns/user`, `-n/proc/${pid}/ns/net`, `-i/proc/${pid}/ns/ipc`, '--preserve-credentials', '-F', '--'];
    const ns = tools.privileged ? { net: `/proc/${pid}/ns/net`, ipc: `/proc/${pid}/ns/ipc` } : undefined;
    return { enter, ns, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
