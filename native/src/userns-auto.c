/* --userns auto: root runs the container in a user namespace that maps an unprivileged host
 * range (launcher/rootless/userns-auto.ts). The launcher makes the secrets tmpfs before the
 * spawn, as in a root run, and writes the maps itself (userns.c).
 *
 * Volumes and an image's layers are idmapped (mount_setattr MOUNT_ATTR_IDMAP) so that an id on
 * disk is the same id inside, and what the container writes lands with the ids unchanged. An
 * idmapped mount takes only the namespace's maps, so the launcher makes them on a namespace of
 * its own before the spawn (the image root must exist then): a clone that waits, blocked, to be
 * killed. The container's namespace gets the same maps later.
 *
 * The container's child, once MAPPED, still has host root's uid, which its namespace does not
 * map: it becomes the namespace's root before it mounts anything. */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Shares our memory: raw syscalls only, every signal blocked, until SIGKILL (or our death). */
static int wait_to_be_killed(void *unused) {
  (void)unused;
  syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  for (;;) syscall(SYS_pause);
  return 0;
}

static int write_map(pid_t pid, const char *name, const char *const *map) {
  char path[64], text[512] = "";
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
  for (size_t i = 0; map[i] && map[i + 1] && map[i + 2]; i += 3) {
    size_t used = strlen(text);
    snprintf(text + used, sizeof text - used, "%s %s %s\n", map[i], map[i + 1], map[i + 2]);
  }
  return hush_write_text(path, text);
}

#define HOLDER_STACK (64 * 1024)

int hush_idmap_userns_create(const char *const *uid_map, const char *const *gid_map, const char **failed_step) {
  void *stack = mmap(NULL, HOLDER_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) {
    *failed_step = "mmap";
    return -1;
  }
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  pid_t pid = clone(wait_to_be_killed, (char *)stack + HOLDER_STACK, CLONE_NEWUSER | CLONE_VM | SIGCHLD, NULL);
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  int fd = -1;
  if (pid < 0) {
    *failed_step = "clone";
  } else {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
    if (write_map(pid, "uid_map", uid_map) < 0) *failed_step = "uid_map";
    else if (write_map(pid, "gid_map", gid_map) < 0) *failed_step = "gid_map";
    else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) *failed_step = "open ns/user";
    err = errno;
    kill(pid, SIGKILL);
    HUSH_RETRY(waitpid(pid, NULL, 0));
  }
  munmap(stack, HOLDER_STACK);
  errno = err;
  return fd;
}

int hush_idmap_mount(int mount_fd, int userns_fd) {
  struct mount_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = (uint64_t)userns_fd;
  return (int)syscall(SYS_mount_setattr, mount_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr);
}

int hush_userns_become_root(int report_fd) {
  if (syscall(SYS_setresgid, 0, 0, 0) < 0 || syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresuid, 0, 0, 0) < 0) {
    hush_report(report_fd, "setresuid", "user namespace root", errno);
    return -1;
  }
  return 0;
}
