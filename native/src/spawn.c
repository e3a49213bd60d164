/* clone into new namespaces, set the child up, exec hush-init (or the app without init).
 *
 * The child is started the way posix_spawn starts one: CLONE_VM|CLONE_VFORK on a small stack
 * of its own, so the cost does not grow with the size of the Node process and no copy of Node
 * lives on in the container. The parent blocks every signal around clone, so the child starts
 * with none delivered to Node's handlers; the child resets all handlers before it unblocks any.
 *
 * hush_spawn returns as soon as clone does (the vfork child has exec'd hush-init, or the app,
 * or died): it never waits for the app. What the parent does wait for, suspended by vfork, is
 * the container's setup before that exec: local mounts and pivot_root, about 2 ms. The verdict arrives later on the error channel (a
 * SOCK_SEQPACKET pair, close-on-exec but for init), which the addon polls from the event loop:
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
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* True when the launcher has already gone (its end of the channel is closed). */
static int parent_gone(int fd) {
  struct pollfd p = {fd, 0, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR));
}


/* Closes every descriptor from 3 up but a, b and c (-1: none). */
static void close_all_but(int a, int b, int c) {
  int keep[3] = {a < b ? a : b, a < b ? b : a, c};
  for (int i = 2; i > 0 && keep[i] < keep[i - 1]; i--) {
    int t = keep[i];
    keep[i] = keep[i - 1];
    keep[i - 1] = t;
  }
  int from = 3;
  for (int i = 0; i < 3; i++) {
    if (keep[i] < from) continue;
    if (keep[i] > from) syscall(SYS_close_range, from, keep[i] - 1, 0);
    from = keep[i] + 1;
  }
  syscall(SYS_close_range, from, ~0U, 0);
}

/* Runs on its own small stack in the parent's memory. Without a user namespace the parent is
 * suspended until exec (CLONE_VFORK); rootless it is not until GO (userns-child.c). Either
 * way the child may write only to its stack, and calls only raw syscalls. */
static int child_main(void *raw) {
  struct hush_child_args *args = raw;
  const struct hush_spec *spec = args->spec;
  struct hush_spec started;
  if (spec->userns && !(spec = hush_userns_child_wait(args, &started))) _exit(125);
  int fd = args->fd;
  hush_reset_signals();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || parent_gone(fd)) _exit(125);
  if (hush_enter_cgroups(spec, fd) < 0) _exit(125);
  mode_t saved_umask = umask(0);
  if (spec->net_none && hush_bring_up_loopback(fd) < 0) _exit(125);
  if (hush_setup_mounts(spec, fd) < 0) _exit(125);
  if (sethostname(spec->hostname, strlen(spec->hostname)) < 0) {
    hush_report(fd, "sethostname", spec->hostname, errno);
    _exit(125);
  }
  if (chdir(spec->workdir) < 0) {
    hush_report(fd, "chdir", spec->workdir, errno);
    _exit(125);
  }
  umask(saved_umask);
  /* Hardening: a keyring and a session of the container's own (and its pty with --tty). */
  const struct hush_hardening *h = spec->hardening;
  if (hush_join_fresh_keyring(fd) < 0) _exit(125);
  if (h->tty && hush_open_container_pty(h, fd) < 0) _exit(125);
  if (hush_enter_new_session(spec->use_init ? 0 : h->tty, fd) < 0) _exit(125);

  /* Nothing of the Node parent's descriptors may reach the app. Rootless, the sync socket
   * (close-on-exec) stays until exec: the parent frees our stack at its EOF. */
  close_all_but(fd, spec->use_init ? spec->init_fd : fd, args->sync_fd);
  /* Node marks its stdio close-on-exec; the app inherits stdin, stdout and stderr. */
  for (int stdio = 0; stdio <= 2; stdio++) fcntl(stdio, F_SETFD, 0);

  if (spec->use_init) {
    /* Init keeps the channel across exec; hush-init is opened by descriptor because the
     * launcher's files are not in the container's root. */
    fcntl(fd, F_SETFD, 0);
    syscall(SYS_execveat, spec->init_fd, "", args->init_argv, spec->envp, AT_EMPTY_PATH);
    hush_report(fd, "exec", "hush-init", errno);
    _exit(125);
  }

  if (hush_become_app_user(spec, fd) < 0) _exit(125);
  /* Changing credentials cleared the parent-death signal: set it again. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || parent_gone(fd)) _exit(125);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  if (hush_confine_app(h, fd) < 0) _exit(125);
  hush_exec_app(spec->argv, spec->envp, spec->path_env, fd);
  _exit(125);
}

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
  pid_t pid = hush_clone(child_main, region + GUARD_SIZE, CHILD_STACK_SIZE, flags, args, &pidfd, spec->cgroup_fd);
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
    int started = hush_userns_parent_start(spec, pid, sync_sv[0], out);
    /* Kept until the release; the child reads the release's init_argv. */
    if (started == 0 && spec->secrets_fd < 0 && hush_userns_keep(sync_sv[0], region, REGION_SIZE, args) == 0) {
      free(init_argv);
      return 0;
    }
    if (started < 0 || spec->secrets_fd < 0) {
      /* The maps could not be written (the child waits for them), or nowhere to keep it. */
      if (started == 0) set_failure(out, "spawn", EMFILE);
      if (out->secrets_fd >= 0) close(out->secrets_fd);
      out->secrets_fd = -1;
      syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
      waitpid(pid, NULL, 0);
      close(pidfd);
      close(sv[0]);
      close(sync_sv[0]);
      free(init_argv);
      munmap(region, REGION_SIZE);
      out->pidfd = out->channel_fd = out->sync_fd = -1;
      return -1;
    }
    /* --userns auto: the tmpfs was ours; the child goes on with this spec until its exec. */
    hush_userns_wait_exec(sync_sv[0]);
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
