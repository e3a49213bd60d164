/* clone into new namespaces; the child (spawn-child.c) sets the container up and execs
 * hush-init (or the app without init).
 *
 * The child is started the way posix_spawn starts one: CLONE_VM|CLONE_VFORK on a small stack
 * of its own, so the cost does not grow with the size of the Node process and no copy of Node
 * lives on in the container (rootless: CLONE_VM without CLONE_VFORK, see userns.c). The parent
 * blocks every signal around clone, so the child starts with none delivered to Node's
 * handlers; the child resets all handlers before it unblocks any.
 *
 * hush_spawn returns as soon as clone does (the vfork child has exec'd hush-init, or the app,
 * or died): it never waits for the app. What the parent does wait for, suspended by vfork, is
 * the container's setup before that exec: local mounts and pivot_root, about 2 ms. The verdict
 * arrives later on the error channel (a SOCK_SEQPACKET pair, close-on-exec but for init),
 * which the addon polls from the event loop:
 *   child → parent  ERROR record       a setup step failed; the child exits 125
 *   child → parent  PTY record         with --tty: the pty master, by SCM_RIGHTS
 *   init  → parent  READY record       the app has exec'd (init keeps the channel for control)
 *   EOF                                no init: the app exec'd (or the child died after its
 *                                      ERROR record); with init: init died before READY
 *   parent → init   hardening record   sent before clone: what confines the app (init starts it)
 */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void set_failure(struct hush_spawn_result *out, const char *syscall, int err) {
  hush_record_fill(&out->failure, syscall, "", err);
}

/* hush-init CONTROL_FD UID GID -- argv... */
char **hush_build_init_argv(const struct hush_spec *spec, int fd, char numbers[3][24]) {
  size_t argc = 0;
  while (spec->argv[argc]) argc++;
  char **out = calloc(argc + 6, sizeof *out);
  if (!out) return NULL;
  snprintf(numbers[0], 24, "%d", fd);
  snprintf(numbers[1], 24, "%u", (unsigned)spec->uid);
  snprintf(numbers[2], 24, "%u", (unsigned)spec->gid);
  out[0] = "hush-init";
  out[1] = numbers[0];
  out[2] = numbers[1];
  out[3] = numbers[2];
  out[4] = "--";
  for (size_t i = 0; i < argc; i++) out[5 + i] = spec->argv[i];
  return out;
}

/* recv of one record; a descriptor passed with it (the pty master) lands in *fd_out. */
ssize_t hush_receive_record(int fd, struct hush_record *record, int *fd_out) {
  struct iovec iov = {record, sizeof *record};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
  ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  struct cmsghdr *cmsg = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
  if (cmsg && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS && cmsg->cmsg_len == CMSG_LEN(sizeof(int))) {
    int received;
    memcpy(&received, CMSG_DATA(cmsg), sizeof received);
    if (*fd_out >= 0) close(*fd_out);
    *fd_out = received;
  }
  return n;
}

/* Receives the first queued record if it is the PTY record; leaves anything else queued. */
void hush_take_pty_record(int fd, int *pty_fd) {
  struct hush_record record;
  ssize_t n;
  do {
    n = recv(fd, &record, sizeof record, MSG_PEEK | MSG_DONTWAIT);
    /* ECONNRESET: the child died without reading the hardening record meant for init; it is
     * reported once, and what the child sent is still queued behind it. */
  } while (n < 0 && (errno == EINTR || errno == ECONNRESET));
  if (n == (ssize_t)sizeof record && record.type == HUSH_RECORD_PTY) hush_receive_record(fd, &record, pty_fd);
}

/* The child's region: a guard page, its stack, then its hush_child_args (a rootless child
 * reads them until its exec, after hush_spawn has returned). */
#define CHILD_STACK_SIZE (256 * 1024)
#define GUARD_SIZE 4096
#define REGION_SIZE (GUARD_SIZE + CHILD_STACK_SIZE + 4096)

static void *map_child_region(void) {
  void *region = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (region != MAP_FAILED && mprotect(region, GUARD_SIZE, PROT_NONE) < 0) {
    munmap(region, REGION_SIZE);
    return MAP_FAILED;
  }
  return region;
}

int hush_spawn(const struct hush_spec *spec, struct hush_spawn_result *out) {
  memset(out, 0, sizeof *out);
  out->pidfd = out->channel_fd = out->pty_fd = out->sync_fd = out->secrets_fd = -1;

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
    set_failure(out, "socketpair", errno);
    return -1;
  }
  char numbers[3][24];
  char **init_argv = spec->use_init ? hush_build_init_argv(spec, sv[1], numbers) : NULL;
  char *region = map_child_region();
  int sync_sv[2] = {-1, -1};
  if ((spec->use_init && !init_argv) || region == MAP_FAILED) {
    set_failure(out, "mmap", ENOMEM);
    goto before_clone_failed;
  }
  if (spec->userns && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync_sv) < 0) {
    set_failure(out, "socketpair", errno);
    goto before_clone_failed;
  }
  struct hush_child_args *args = (struct hush_child_args *)(region + GUARD_SIZE + CHILD_STACK_SIZE);
  *args = (struct hush_child_args){spec, sv[1], init_argv, sync_sv[1], {sv[0], sync_sv[0]}, spec->init_fd};
  /* Init reads what confines the app as its first message. */
  if (spec->use_init && send(sv[0], spec->hardening, sizeof *spec->hardening, MSG_NOSIGNAL) != (ssize_t)sizeof *spec->hardening) {
    set_failure(out, "send", errno);
    goto before_clone_failed;
  }

  /* posix_spawn's way: the child shares our memory and we are suspended until it execs, so
   * the cost does not grow with the size of the Node process. Rootless, the child waits for us
   * twice: it shares our memory, but we go on (userns.c). */
  int flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD;
  if (spec->net_none) flags |= CLONE_NEWNET;
  if (spec->userns) flags = (flags & ~CLONE_VFORK) | CLONE_NEWUSER;

  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  int pidfd = -1;
  pid_t pid = hush_clone(hush_spawn_child_main, region + GUARD_SIZE, CHILD_STACK_SIZE, flags, args, &pidfd, spec->cgroup_fd);
  int clone_errno = errno;
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  close(sv[1]);
  if (sync_sv[1] >= 0) close(sync_sv[1]);
  if (pid < 0) {
    close(sv[0]);
    if (sync_sv[0] >= 0) close(sync_sv[0]);
    set_failure(out, "clone", clone_errno);
    free(init_argv);
    munmap(region, REGION_SIZE);
    return -1;
  }
  out->pid = pid;
  out->pidfd = pidfd;
  out->channel_fd = sv[0];
  if (spec->userns) {
    struct hush_child_region child = {region, REGION_SIZE, args};
    if (hush_userns_parent_start(spec, pid, sync_sv[0], &child, out) < 0) {
      /* The child waits for the maps or GO: it goes no further. */
      syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
      waitpid(pid, NULL, 0);
      close(pidfd);
      close(sv[0]);
      close(sync_sv[0]);
      if (out->secrets_fd >= 0) close(out->secrets_fd);
      free(init_argv);
      munmap(region, REGION_SIZE);
      out->pidfd = out->channel_fd = out->sync_fd = out->secrets_fd = -1;
      return -1;
    }
    /* Rootless: kept until the release (the child reads the release's init_argv). */
    if (spec->secrets_fd < 0) {
      free(init_argv);
      return 0;
    }
    /* --userns auto: the tmpfs was ours; the child went on with this spec to its exec, which
     * hush_userns_parent_start waited for. */
    close(sync_sv[0]);
    out->sync_fd = -1;
  }
  munmap(region, REGION_SIZE);
  free(init_argv);

  /* With --tty the child sent the pty master before it exec'd, and clone returns only after
   * that exec (or the child's death): if it got that far, the PTY record is queued first. The
   * verdict behind it stays queued for the addon's channel watcher. */
  if (spec->hardening->tty) hush_take_pty_record(sv[0], &out->pty_fd);
  return 0;

before_clone_failed:
  free(init_argv);
  if (region != MAP_FAILED) munmap(region, REGION_SIZE);
  for (int i = 0; i < 2; i++) {
    close(sv[i]);
    if (sync_sv[i] >= 0) close(sync_sv[i]);
  }
  return -1;
}
