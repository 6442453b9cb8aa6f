// `--step-capabilities`: which Linux capabilities the podman executor's containers get (pure: no IO).
// 'none' (the default): none at all (`--cap-drop=all`). 'kubernetes': what a container gets on a
// Kubernetes node (the container runtime's default set, without NET_RAW), with the container's
// securityContext.capabilities applied as containerd applies them. Either way no-new-privileges
// stays, and the option is only offered where each pod has a user namespace of its own
// (docs/decisions/0022, 0033): the capabilities then act on the pod's namespaces, not the host's.
import type { PlanContainer } from '../executor.ts';

/** The values of `--step-capabilities`. */
export type StepCapabilities = 'none' | 'kubernetes';

/**
 * The capabilities containerd and CRI-O give a container by default (as Docker's), without NET_RAW
 * (containerd keeps it; CRI-O and recent Docker drop it; raw sockets are rarely what a step needs).
 */
export const KUBERNETES_DEFAULT_CAPABILITIES: readonly string[] = [
  'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'NET_BIND_SERVICE', 'SYS_CHROOT', 'MKNOD', 'AUDIT_WRITE', 'SETFCAP',
];

/** Every capability Linux knows (capability(7)), as Kubernetes names them (no CAP_ prefix). */
const KNOWN = new Set([
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
]);

/** A container's securityContext.capabilities as written (names with or without `CAP_`, any case). */
export interface CapabilityChanges { add?: string[]; drop?: string[] }

/** Why a container's capabilities cannot be granted: the field (`add` or `drop`) and the reason. */
export interface CapabilityProblem { field: 'add' | 'drop'; why: string }

/** `cap_sys_chroot` / `CAP_SYS_CHROOT` / `SYS_CHROOT` → `SYS_CHROOT`. */
function canonical(name: string): string {
  return name.trim().toUpperCase().replace(/^CAP_/, '');
}

/**
 * The capabilities container `c` gets under `mode`, or why it cannot run. Kubernetes' rules as containerd applies them: drop ALL empties the default set, add ALL
 * fills it, then each named add is added and each named drop removed (a drop wins over an add of the
 * same name; `drop: [ALL], add: [NET_BIND_SERVICE]` leaves just that one). Under 'none' nothing is
 * granted and the container's capabilities are not looked at (as before the option existed). An add
 * beyond the default set (or add ALL) needs `allowPrivileged`: it is what privileged grants, piecemeal.
 */
export function effectiveCapabilities(c: Pick<PlanContainer, 'capabilities'>, mode: StepCapabilities, allowPrivileged: boolean): string[] | CapabilityProblem {
  if (mode === 'none') return [];
  const add = (c.capabilities?.add ?? []).map(canonical);
  const drop = (c.capabilities?.drop ?? []).map(canonical);
  for (const [field, names] of [['add', add], ['drop', drop]] as const) {
    const bad = names.find((n) => n !== 'ALL' && !KNOWN.has(n));
    if (bad !== undefined) return { field, why: `unknown capability ${JSON.stringify(bad)}` };
  }
  const beyond = add.filter((n) => n === 'ALL' || !KUBERNETES_DEFAULT_CAPABILITIES.includes(n));
  if (beyond.length && !allowPrivileged) {
    return { field: 'add', why: `${beyond.join(', ')} ${beyond.length > 1 ? 'are' : 'is'} beyond the default set this executor grants (--step-capabilities kubernetes); adding ${beyond.length > 1 ? 'them' : 'it'} needs --allow-privileged` };
  }
  const set = new Set(KUBERNETES_DEFAULT_CAPABILITIES);
  if (add.includes('ALL')) for (const n of KNOWN) set.add(n);
  if (drop.includes('ALL')) set.clear();
  for (const n of add) if (n !== 'ALL') set.add(n);
  for (const n of drop) set.delete(n);
  return [...set].sort();
}

/**
 * Whether a container runs as root: its runAsUser, else its image's USER (`uid[:gid]` or a name;
 * none is root). A name other than root counts as another user (the image's /etc/passwd is not read).
 */
export function runsAsRoot(uid: number | undefined, imageUser: string | undefined): boolean {
  if (uid !== undefined) return uid === 0;
  const user = (imageUser ?? '').split(':')[0];
  return user === '' || user === '0' || user === 'root';
}

/** podman's flags for `caps` (the container's whole set): all dropped, then these added. */
export function capabilityArgs(caps: readonly string[]): string[] {
  return ['--cap-drop=all', ...(caps.length ? [`--cap-add=${caps.join(',')}`] : [])];
}
