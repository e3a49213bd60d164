/* The child of hush_spawn, from clone to the exec of hush-init (or of the app without init).
 * It runs on its own small stack in the parent's memory: with the parent suspended until exec
 * (CLONE_VFORK), or rootless beside it until GO (userns-child.c: raw syscalls only) and then
 * with the parent waiting as for vfork (userns-go.c). Either way it may write only to its
 * stack, and calls only raw syscalls and async-signal-safe functions (no malloc, no locks). */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

int hush_spawn_child_main(void *raw) {
  struct hush_child_args *args = raw;
  const struct hush_spec *spec = args->spec;
  /* Rootless, the spawn's spec is gone once the child has sent SECRETS (hush_spawn returned):
   * from the wait on, only `started` is read. */
  const int rootless = spec->userns != NULL;
  struct hush_spec started;
  int userns_kind = rootless ? hush_userns_child_wait(args, &started) : 0;
  if (userns_kind < 0) _exit(125);
  if (rootless) spec = &started;
  int fd = args->fd;
  hush_reset_signals();
  /* From GO on (userns-go.c): the mounts that need the maps, or the namespace's root. */
  int volume_fds[HUSH_USERNS_MAX_VOLUMES];
  if (rootless && hush_userns_child_go(&started, userns_kind, volume_fds, fd) < 0) _exit(125);
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
