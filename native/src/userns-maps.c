/* The id maps of a rootless child's user namespace, written by the launcher (userns.c has the
 * start order): one-line maps through /proc/PID/uid_map and gid_map, or newuidmap and
 * newgidmap for a /etc/subuid range. The two setuid helpers run at the same time, and while
 * the child makes the secrets tmpfs: each costs an exec and a read of /etc/subuid or
 * /etc/subgid, the larger part of a rootless start. */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_proc_file(pid_t pid, const char *name, const char *text) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
  return hush_write_text(path, text);
}
/* newuidmap PID inside outside count ...: the helper's pid, or -1 with errno. */
static pid_t start_helper(const char *helper, pid_t pid, const char *const *map) {
  char pid_text[16];
  snprintf(pid_text, sizeof pid_text, "%d", (int)pid);
  const char *argv[64] = {helper, pid_text};
  size_t n = 2;
  for (size_t i = 0; map[i] && n + 1 < sizeof argv / sizeof argv[0]; i++) argv[n++] = map[i];
  argv[n] = NULL;
  pid_t helper_pid;
  extern char **environ;
  /* Node's stderr is close-on-exec: dup2 onto itself clears that, so the helper can say why. */
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, 2, 2);
  int err = posix_spawn(&helper_pid, helper, &actions, NULL, (char *const *)argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err) {
    errno = err;
    return -1;
  }
  return helper_pid;
}

/* 0 once the helper exited 0; -1 with errno (EPERM: it refused the map). */
static int helper_result(pid_t helper_pid) {
  int status = 0;
  if (HUSH_RETRY(waitpid(helper_pid, &status, 0)) < 0) return -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    errno = EPERM;
    return -1;
  }
  return 0;
}

static int write_map(pid_t pid, const char *name, const char *const *map) {
  char text[512] = "";
  for (size_t i = 0; map[i] && map[i + 1] && map[i + 2]; i += 3) {
    size_t used = strlen(text);
    snprintf(text + used, sizeof text - used, "%s %s %s\n", map[i], map[i + 1], map[i + 2]);
  }
  return write_proc_file(pid, name, text);
}

int hush_userns_start_maps(const struct hush_userns *u, pid_t pid, struct hush_map_helpers *h, struct hush_record *failure) {
  h->uid_helper = u->newuidmap ? start_helper(u->newuidmap, pid, u->uid_map) : 0;
  if (h->uid_helper < 0) {
    hush_record_fill(failure, "newuidmap", "", errno);
    return -1;
  }
  h->gid_helper = u->newgidmap ? start_helper(u->newgidmap, pid, u->gid_map) : 0;
  if (h->gid_helper < 0) {
    hush_record_fill(failure, "newgidmap", "", errno);
    hush_userns_finish_maps(h, failure);
    return -1;
  }
  const char *failed = NULL;
  if (!u->newuidmap && write_map(pid, "uid_map", u->uid_map) < 0) failed = "uid_map";
  /* Without CAP_SETGID outside, a gid_map is accepted only once setgroups is denied. */
  else if (!u->newgidmap && ((u->deny_setgroups && write_proc_file(pid, "setgroups", "deny") < 0) || write_map(pid, "gid_map", u->gid_map) < 0))
    failed = "gid_map";
  if (!failed) return 0;
  hush_record_fill(failure, failed, "", errno);
  hush_userns_finish_maps(h, failure);
  return -1;
}

int hush_userns_finish_maps(struct hush_map_helpers *h, struct hush_record *failure) {
  const char *failed = NULL;
  int err = 0;
  if (h->uid_helper > 0 && helper_result(h->uid_helper) < 0) failed = "newuidmap", err = errno;
  if (h->gid_helper > 0 && helper_result(h->gid_helper) < 0 && !failed) failed = "newgidmap", err = errno;
  h->uid_helper = h->gid_helper = 0;
  if (!failed) return 0;
  if (failure->type != HUSH_RECORD_ERROR) hush_record_fill(failure, failed, "", err);
  return -1;
}
