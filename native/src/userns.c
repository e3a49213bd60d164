/* Rootless runs: the container in a user namespace of its own, where the caller is root.
 *
 * A process can enter a new user namespace only while it has one thread, so Node cannot make
 * the secrets tmpfs for such a container itself (an ordinary user cannot mount one outside a
 * user namespace either): the child makes it, inside its namespaces, and sends it back.
 *
 * The child of a rootless spawn is not a vfork child (spawn.c): it is a copy of the launcher
 * (clone without CLONE_VM), because it must wait for the parent twice, and a vfork child would
 * keep the parent suspended through both waits. The sync socket orders the start:
 *   parent → child  MAPPED     uid_map and gid_map are written (newuidmap/newgidmap, or the
 *                              one-line maps through /proc/PID/uid_map and gid_map)
 *   child  → parent SECRETS    the tmpfs, by SCM_RIGHTS; err = 1 when noswap was accepted
 *   parent → child  GO         after the agent's first render: the app's environment and the
 *                              masks (both known only then), NUL-separated
 *   EOF                        the child exec'd (or died; the verdict is on the error channel)
 * Everything the child does before exec is still raw syscalls over memory it owns: the copy
 * of a multi-threaded process may find any lock held. */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SYNC_MAPPED 'm'

/* ---- child side ---- */

static int send_secrets_fd(int sync_fd, int tmpfs_fd, int noswap) {
  return hush_send_record_fd(sync_fd, HUSH_RECORD_SECRETS, noswap, tmpfs_fd);
}

static int make_secrets_fs(const struct hush_userns *u, int *noswap) {
  int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0) return -1;
  const char *options[] = {"size", u->secrets_size, "mode", "0700", "uid", u->secrets_uid, "gid", u->secrets_gid};
  for (size_t i = 0; i < sizeof options / sizeof options[0]; i += 2)
    if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, options[i], options[i + 1], 0) < 0) return -1;
  /* The kernel refuses noswap in a user namespace today; ask anyway, and say what it did. */
  *noswap = syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "noswap", NULL, 0) == 0;
  if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) return -1;
  int mount_fd = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  close(fs);
  return mount_fd;
}

/* NUL-separated strings → a NULL-terminated array at `slots` (room for `room` pointers). */
static char **split_strings(char *blob, size_t bytes, char **slots, size_t room) {
  size_t n = 0;
  for (size_t at = 0; at < bytes && n + 1 < room; at += strlen(blob + at) + 1) slots[n++] = blob + at;
  slots[n] = NULL;
  return slots;
}

#define GO_SLOTS 8192

int hush_userns_child_start(const struct hush_spec *spec, struct hush_spec *started, int sync_fd, int report_fd) {
  char mapped = 0;
  if (HUSH_RETRY(recv(sync_fd, &mapped, 1, 0)) != 1 || mapped != SYNC_MAPPED) return -1; /* the parent failed or left */
  *started = *spec;
  /* --userns auto: root made the tmpfs and rendered before the spawn, as without a user namespace. */
  if (spec->secrets_fd >= 0) return hush_userns_become_root(report_fd);
  int noswap = 0;
  int tmpfs_fd = make_secrets_fs(spec->userns, &noswap);
  if (tmpfs_fd < 0) {
    hush_report(report_fd, "fsmount", "secrets tmpfs (user namespace)", errno);
    return -1;
  }
  if (send_secrets_fd(sync_fd, tmpfs_fd, noswap) < 0) return -1;

  size_t size = sizeof(struct hush_go_header) + HUSH_CONTROL_MAX + 2 * GO_SLOTS * sizeof(char *);
  char *buffer = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (buffer == MAP_FAILED) return -1;
  struct hush_go_header *go = (struct hush_go_header *)buffer;
  ssize_t n = HUSH_RETRY(recv(sync_fd, buffer, sizeof *go + HUSH_CONTROL_MAX, 0));
  if (n < (ssize_t)sizeof *go || go->type != HUSH_GO || go->env_bytes < 0 || go->mask_bytes < 0 ||
      (size_t)n != sizeof *go + (size_t)go->env_bytes + (size_t)go->mask_bytes)
    return -1;
  char *strings = buffer + sizeof *go;
  char **slots = (char **)(buffer + sizeof *go + HUSH_CONTROL_MAX);
  started->secrets_fd = tmpfs_fd;
  started->envp = split_strings(strings, (size_t)go->env_bytes, slots, GO_SLOTS);
  started->mask_paths = split_strings(strings + go->env_bytes, (size_t)go->mask_bytes, slots + GO_SLOTS, GO_SLOTS);
  return 0;
}

/* ---- parent side ---- */

static int write_proc_file(pid_t pid, const char *name, const char *text) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  int err = errno;
  close(fd);
  errno = err;
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* newuidmap PID inside outside count ... (a setuid helper: only it may map a /etc/subuid range). */
static int run_helper(const char *helper, pid_t pid, const char *const *map) {
  char pid_text[16];
  snprintf(pid_text, sizeof pid_text, "%d", (int)pid);
  const char *argv[64] = {helper, pid_text};
  size_t n = 2;
  for (size_t i = 0; map[i] && n + 1 < sizeof argv / sizeof argv[0]; i++) argv[n++] = map[i];
  argv[n] = NULL;
  pid_t helper_pid;
  extern char **environ;
  int err = posix_spawn(&helper_pid, helper, NULL, NULL, (char *const *)argv, environ);
  if (err) {
    errno = err;
    return -1;
  }
  int status = 0;
  if (HUSH_RETRY(waitpid(helper_pid, &status, 0)) < 0) return -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    errno = EPERM;
    return -1;
  }
  return 0;
}

static void map_text(const char *const *map, char *out, size_t size) {
  out[0] = '\0';
  for (size_t i = 0; map[i] && map[i + 1] && map[i + 2]; i += 3) {
    size_t used = strlen(out);
    snprintf(out + used, size - used, "%s %s %s\n", map[i], map[i + 1], map[i + 2]);
  }
}

static int write_maps(const struct hush_userns *u, pid_t pid, struct hush_record *failure) {
  char text[512];
  if (u->newuidmap) {
    if (run_helper(u->newuidmap, pid, u->uid_map) < 0) goto uid_failed;
  } else {
    map_text(u->uid_map, text, sizeof text);
    if (write_proc_file(pid, "uid_map", text) < 0) goto uid_failed;
  }
  if (u->newgidmap) {
    if (run_helper(u->newgidmap, pid, u->gid_map) < 0) goto gid_failed;
  } else {
    map_text(u->gid_map, text, sizeof text);
    /* Without CAP_SETGID outside, a gid_map is accepted only once setgroups is denied. */
    if ((u->deny_setgroups && write_proc_file(pid, "setgroups", "deny") < 0) || write_proc_file(pid, "gid_map", text) < 0)
      goto gid_failed;
  }
  return 0;
uid_failed:
  hush_record_fill(failure, u->newuidmap ? "newuidmap" : "uid_map", "", errno);
  return -1;
gid_failed:
  hush_record_fill(failure, u->newgidmap ? "newgidmap" : "gid_map", "", errno);
  return -1;
}

int hush_userns_parent_start(const struct hush_spec *spec, pid_t pid, int sync_fd, struct hush_spawn_result *out) {
  if (write_maps(spec->userns, pid, &out->failure) < 0) return -1;
  char mapped = SYNC_MAPPED;
  out->sync_fd = sync_fd;
  if (HUSH_RETRY(send(sync_fd, &mapped, 1, MSG_NOSIGNAL)) != 1) return 0; /* the child died: its verdict says why */
  if (spec->secrets_fd >= 0) return 0;
  struct hush_record record;
  memset(&record, 0, sizeof record);
  ssize_t n = hush_receive_record(sync_fd, &record, &out->secrets_fd);
  if (n != (ssize_t)sizeof record || record.type != HUSH_RECORD_SECRETS) {
    if (out->secrets_fd >= 0) close(out->secrets_fd);
    out->secrets_fd = -1;
  }
  out->secrets_noswap = record.err == 1;
  return 0;
}

int hush_userns_release(int sync_fd, const char *env, size_t env_bytes, const char *masks, size_t mask_bytes) {
  struct hush_go_header go;
  memset(&go, 0, sizeof go);
  go.type = HUSH_GO;
  go.env_bytes = (int32_t)env_bytes;
  go.mask_bytes = (int32_t)mask_bytes;
  if (env_bytes + mask_bytes > HUSH_CONTROL_MAX) {
    errno = E2BIG;
    return -1;
  }
  struct iovec parts[3] = {{&go, sizeof go}, {(void *)env, env_bytes}, {(void *)masks, mask_bytes}};
  struct msghdr msg = {.msg_iov = parts, .msg_iovlen = 3};
  if (HUSH_RETRY(sendmsg(sync_fd, &msg, MSG_NOSIGNAL)) < 0 && errno != EPIPE) return -1;
  hush_userns_wait_exec(sync_fd);
  return 0;
}

void hush_userns_wait_exec(int sync_fd) {
  /* As a vfork parent would be: back once the child has exec'd (or died), ~2 ms of setup. */
  char byte;
  while (HUSH_RETRY(recv(sync_fd, &byte, 1, 0)) > 0) {}
}
