/* The rootless child up to GO (userns.c has the start order).
 *
 * It shares the launcher's memory (CLONE_VM, a stack of its own) but, unlike a vfork child,
 * runs beside Node's main thread, which goes on with the agent's first render. So until GO it
 * makes raw system calls only (raw-syscall.h: not even errno, which is the main thread's), keeps
 * every signal blocked (the handlers are still Node's), writes only to its stack, and reads the
 * spawn's spec only until it has sent SECRETS, since hush_spawn returns then. After GO (or
 * MAPPED, with --userns auto) the parent waits, as a vfork parent would, and the child reads
 * the spec the release brought: what needs the maps or libc (userns-go.c) comes after. */
#include "hush.h"
#include "raw-syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>

static long recv_byte(int fd, char *byte) {
  long n;
  do n = HUSH_RAW(SYS_recvfrom, fd, byte, 1, 0, 0, 0);
  while (n == -EINTR);
  return n;
}

/* The tmpfs's mount descriptor, or -errno (*step names what failed). Made before any map is
 * written, its root belongs to the caller's uid and gid outside: root inside. */
static long make_secrets_fs(const struct hush_userns *u, int *noswap, const char **step) {
  *step = "fsopen";
  long fs = HUSH_RAW(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0) return fs;
  const char *options[] = {"size", u->secrets_size, "mode", "0700"};
  long rc = 0;
  *step = "fsconfig";
  for (size_t i = 0; i < sizeof options / sizeof options[0] && rc == 0; i += 2)
    rc = HUSH_RAW(SYS_fsconfig, fs, FSCONFIG_SET_STRING, options[i], options[i + 1], 0);
  /* The kernel refuses noswap in a user namespace today; ask anyway, and say what it did. */
  if (rc == 0) *noswap = HUSH_RAW(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "noswap", 0, 0) == 0;
  if (rc == 0) rc = HUSH_RAW(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, 0, 0, 0);
  if (rc == 0) {
    *step = "fsmount";
    rc = HUSH_RAW(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  }
  HUSH_RAW(SYS_close, fs);
  return rc;
}

static void report(int fd, const char *step, const char *path, int err) {
  struct hush_record record;
  hush_record_fill(&record, step, path, err);
  HUSH_RAW(SYS_sendto, fd, &record, sizeof record, MSG_NOSIGNAL, 0, 0);
}

/* SECRETS: the tmpfs by SCM_RIGHTS; err = 1 when noswap was accepted. */
static long send_secrets(int sync_fd, int tmpfs_fd, int noswap) {
  struct hush_fd_message m;
  hush_fd_message_init(&m, HUSH_RECORD_SECRETS, noswap, tmpfs_fd);
  return HUSH_RAW(SYS_sendmsg, sync_fd, &m.msg, MSG_NOSIGNAL);
}

int hush_userns_child_wait(struct hush_child_args *args, struct hush_spec *started) {
  /* A copy of the parent's descriptor table holds its ends too: without them, EOF means it left. */
  HUSH_RAW(SYS_close, args->parent_fds[0]);
  HUSH_RAW(SYS_close, args->parent_fds[1]);
  if (HUSH_RAW(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) return -1;
  struct pollfd gone = {args->fd, 0, 0};
  struct timespec now = {0, 0};
  if (HUSH_RAW(SYS_ppoll, &gone, 1, &now, 0, 0) == 1 && (gone.revents & (POLLHUP | POLLERR))) return -1;

  char sync = 0;
  const struct hush_spec *spec = args->spec;
  /* --userns auto: root made the tmpfs; once the maps are written, on with this spec (root
   * waits in hush_spawn for the exec). */
  if (spec->secrets_fd >= 0) {
    *started = *spec;
    return recv_byte(args->sync_fd, &sync) == 1 && sync == HUSH_SYNC_MAPPED ? HUSH_USERNS_AUTO : -1;
  }
  /* The tmpfs needs no map: it is made while the parent writes them. */
  int noswap = 0;
  const char *step = "";
  long tmpfs_fd = make_secrets_fs(spec->userns, &noswap, &step);
  if (tmpfs_fd < 0) {
    report(args->fd, step, "secrets tmpfs (user namespace)", (int)-tmpfs_fd);
    return -1;
  }
  if (send_secrets(args->sync_fd, (int)tmpfs_fd, noswap) != (long)sizeof(struct hush_record)) return -1;
  /* From here the spawn's spec is gone. GO (the maps are written): args->spec is the
   * release's, until our exec. EOF: the parent failed or left. */
  if (recv_byte(args->sync_fd, &sync) != 1 || sync != HUSH_SYNC_GO) return -1;
  *started = *args->spec;
  started->secrets_fd = (int)tmpfs_fd;
  return HUSH_USERNS_OWN_TMPFS;
}
