/*
 * kiln-step-enter: the first process of a step's sandbox when kiln runs as root.
 *
 *   kiln-step-enter [--net-fd N] [--ipc-fd N] --uid UID --gid GID -- COMMAND [ARG...]
 *   kiln-step-enter --version
 *
 * bwrap (root, all capabilities) has built the mounts and executes this; it then, in order:
 *   1. joins the attempt's network / IPC namespaces through the descriptors N kiln passed
 *      (setns; each descriptor closed at once),
 *   2. empties the ambient set and drops every capability from the bounding set,
 *   3. clears the supplementary groups, sets real/effective/saved gid, then uid, to GID/UID
 *      (the change from uid 0 empties the permitted and effective sets),
 *   4. empties every capability set again (inheritable included) with capset,
 *   5. sets no-new-privileges (setuid/file capabilities give nothing from here on),
 *   6. checks all of the above from the kernel's side (ids, groups, the five capability sets,
 *      no-new-privileges), marks every descriptor above 2 close-on-exec, and
 *   7. executes COMMAND (searched on PATH), as `setpriv --reuid --regid --clear-groups
 *      --bounding-set=-all --inh-caps=-all --ambient-caps=-all --no-new-privs` (after
 *      `nsenter -n -i`) would, without their two execs of dynamic binaries.
 *
 * Exit status when COMMAND did not start: 125 for any refusal or failed step (usage, an id of 0,
 * a namespace or a privilege that could not be set, a check that failed; the reason on stderr),
 * 127 when COMMAND was not found and 126 when it could not be executed (as setpriv does).
 * Nothing is ever executed after a failed step: every failure ends the process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VERSION "kiln-step-enter 1"
#define REFUSED 125
#define MAX_CAPS 64 /* capability numbers are below 64 (two 32-bit words) */

static void fail(const char *what) {
  fprintf(stderr, "kiln-step-enter: %s: %s\n", what, strerror(errno));
  exit(REFUSED);
}

static void refuse(const char *what, const char *arg) {
  fprintf(stderr, "kiln-step-enter: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
  fputs("usage: kiln-step-enter [--net-fd N] [--ipc-fd N] --uid UID --gid GID -- COMMAND [ARG...]\n", stderr);
  exit(REFUSED);
}

/* A decimal number in [min, INT_MAX]: digits only, no sign, no spaces. */
static long number(const char *s, long min, const char *what) {
  if (!s || !*s || strlen(s) > 10) refuse(what, s ? s : "(missing)");
  for (const char *p = s; *p; p++)
    if (*p < '0' || *p > '9') refuse(what, s);
  long v = strtol(s, NULL, 10);
  if (v < min || v > INT_MAX) refuse(what, s);
  return v;
}

static void join(int fd, int nstype, const char *what) {
  if (setns(fd, nstype) != 0) fail(what);
  if (close(fd) != 0) fail(what);
}

static void capset_all(int value) {
  struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct d[2];
  memset(d, value, sizeof d);
  if (syscall(SYS_capset, &h, d) != 0) fail("capset");
}

/* Every step from the kernel's side: any difference ends the process before COMMAND runs. */
static void check(uid_t uid, gid_t gid) {
  uid_t r, e, s;
  gid_t gr, ge, gs;
  if (getresuid(&r, &e, &s) != 0 || r != uid || e != uid || s != uid) refuse("check failed", "uid");
  if (getresgid(&gr, &ge, &gs) != 0 || gr != gid || ge != gid || gs != gid) refuse("check failed", "gid");
  if (getgroups(0, NULL) != 0) refuse("check failed", "supplementary groups");
  struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct d[2];
  if (syscall(SYS_capget, &h, d) != 0) fail("capget");
  for (int i = 0; i < 2; i++)
    if (d[i].effective || d[i].permitted || d[i].inheritable) refuse("check failed", "capabilities");
  for (int cap = 0; cap < MAX_CAPS; cap++) {
    int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (in < 0) break; /* EINVAL: past the last capability this kernel knows */
    if (in != 0) refuse("check failed", "bounding set");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) != 0) refuse("check failed", "ambient set");
  }
  if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) refuse("check failed", "no-new-privileges");
}

int main(int argc, char **argv) {
  long uid = -1, gid = -1, net = -1, ipc = -1;
  int i = 1;
  if (argc == 2 && strcmp(argv[1], "--version") == 0) {
    puts(VERSION);
    return 0;
  }
  for (; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
    const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(opt, "--uid") == 0) uid = number(val, 1, "--uid must be a user id other than 0");
    else if (strcmp(opt, "--gid") == 0) gid = number(val, 1, "--gid must be a group id other than 0");
    else if (strcmp(opt, "--net-fd") == 0) net = number(val, 3, "--net-fd must be a descriptor above 2");
    else if (strcmp(opt, "--ipc-fd") == 0) ipc = number(val, 3, "--ipc-fd must be a descriptor above 2");
    else refuse("unknown option", opt);
  }
  if (uid < 0 || gid < 0) refuse("--uid and --gid are required", NULL);
  if (i + 1 >= argc) refuse("no command after --", NULL);
  char **command = argv + i + 1;

  /* 1. the attempt's namespaces, while still privileged */
  if (net >= 0) join((int)net, CLONE_NEWNET, "joining the network namespace (--net-fd)");
  if (ipc >= 0) join((int)ipc, CLONE_NEWIPC, "joining the IPC namespace (--ipc-fd)");
  /* 2. ambient and bounding sets (dropping from the bounding set needs CAP_SETPCAP: before the uid change) */
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) fail("clearing the ambient set");
  for (int cap = 0; cap < MAX_CAPS; cap++) {
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0) break;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) fail("dropping from the bounding set");
  }
  /* 3. groups, gid, uid: in this order, each needing the privilege the next one removes */
  if (setgroups(0, NULL) != 0) fail("setgroups");
  if (setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) != 0) fail("setresgid");
  if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) != 0) fail("setresuid");
  /* 4. every set empty, whatever securebits said about keeping them */
  capset_all(0);
  /* 5. */
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("setting no-new-privileges");
  /* 6. */
  check((uid_t)uid, (gid_t)gid);
  if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) fail("close_range");
  /* 7. */
  execvp(command[0], command);
  int code = errno == ENOENT ? 127 : 126;
  fprintf(stderr, "kiln-step-enter: failed to execute %s: %s\n", command[0], strerror(errno));
  return code;
}
