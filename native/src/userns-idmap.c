/* Rootless --user N[:G]: the secrets as the app's own.
 *
 * The agent writes the secret files from the launcher, outside the container's user
 * namespace, where it is the caller and has no power over any other id: so the tmpfs stays
 * the caller's (0 inside), and the app gets an idmapped clone of it in which 0 reads as N
 * and G. The idmapping is a user namespace with the maps "0 N 1" and "0 G 1" (in the
 * container's ids), which the child makes for a moment in a grandchild of its own: the child
 * is root of the container's namespace, so it may write any map of its ids. /proc is still
 * the host's here, so the grandchild names itself by /proc/self (its pid in that /proc).
 *
 * The grandchild shares our memory too (a copy would cost the page tables of all of Node), on
 * a stack in the child's: it makes raw syscalls only, while the child reads and writes files. */
#include "hush.h"
#include "raw-syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_file(const char *dir, const char *leaf, const char *text) {
  char path[64];
  return hush_join(path, sizeof path, dir, leaf) < 0 ? -1 : hush_write_text(path, text);
}

struct holder {
  int up[2], down[2];
};

/* Sends its pid (as the host's /proc has it), then waits until the namespace has been opened. */
static int hold_namespace(void *raw) {
  struct holder *h = raw;
  HUSH_RAW(SYS_close, h->up[0]);
  HUSH_RAW(SYS_close, h->down[1]); /* else the read below never sees the end */
  char self[32];
  long n = HUSH_RAW(SYS_readlinkat, AT_FDCWD, "/proc/self", self, sizeof self);
  if (n > 0) HUSH_RAW(SYS_write, h->up[1], self, n);
  char byte;
  while (HUSH_RAW(SYS_read, h->down[0], &byte, 1) == -EINTR) continue;
  return 0;
}

#define HOLDER_STACK (16 * 1024)

/* A descriptor of a new user namespace mapped by uid_map and gid_map, or -1. */
static int idmap_userns(const char *uid_map, const char *gid_map) {
  struct holder h;
  if (pipe2(h.up, O_CLOEXEC) < 0) return -1;
  if (pipe2(h.down, O_CLOEXEC) < 0) return -1;
  _Alignas(16) char stack[HOLDER_STACK];
  pid_t pid = hush_clone(hold_namespace, stack, sizeof stack, CLONE_NEWUSER | CLONE_VM | SIGCHLD, &h, NULL, -1);
  if (pid < 0) return -1;
  close(h.up[1]);
  close(h.down[0]);
  char dir[48] = "/proc/";
  ssize_t n = HUSH_RETRY(read(h.up[0], dir + 6, 16));
  close(h.up[0]);
  int ns = -1;
  if (n > 0) {
    dir[6 + n] = '\0';
    if (write_file(dir, "/uid_map", uid_map) == 0 && write_file(dir, "/gid_map", gid_map) == 0) {
      char path[64];
      if (hush_join(path, sizeof path, dir, "/ns/user") == 0) ns = open(path, O_RDONLY | O_CLOEXEC);
    }
  }
  int err = errno;
  close(h.down[1]);
  HUSH_RETRY(waitpid(pid, NULL, 0));
  errno = err;
  return ns;
}

int hush_userns_secrets_view(const struct hush_userns_root *r, int tmpfs_fd, int report_fd) {
  if (!r || !r->secrets_uid_map) return tmpfs_fd;
  int ns = idmap_userns(r->secrets_uid_map, r->secrets_gid_map);
  if (ns < 0) {
    hush_report(report_fd, "idmap userns", "secrets for --user", errno);
    return -1;
  }
  int view = (int)syscall(SYS_open_tree, tmpfs_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  struct mount_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = (uint64_t)ns;
  if (view < 0 || syscall(SYS_mount_setattr, view, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) {
    hush_report(report_fd, view < 0 ? "open_tree" : "mount_setattr idmap", "secrets for --user", errno);
    close(ns);
    return -1;
  }
  close(ns);
  return view;
}
