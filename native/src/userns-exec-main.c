/* hush-userns: runs a command as root of a new user namespace with an ordinary user's full
 * /etc/subuid range, as `podman unshare` does; the rootless image store unpacks and removes
 * layers through it, so that a layer's owners are kept, shifted by the maps (docs/rootless.md).
 *
 *   hush-userns NEWUIDMAP NEWGIDMAP UID_TRIPLES GID_TRIPLES -- CMD [ARG...]
 *     *_TRIPLES: "inside outside count[ inside outside count...]", as newuidmap takes them
 *
 * A small single-threaded program of its own (Node cannot enter a user namespace): it forks,
 * the child unshares its user namespace and waits, the parent maps it through the setuid
 * helpers, then the child execs CMD, root inside. Exits with CMD's status (128+N on signal N),
 * 125 when the namespace could not be made. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int wait_status(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return 125;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* HELPER PID TRIPLE... (the triples split at spaces). */
static int map(const char *helper, pid_t pid, const char *triples) {
  char copy[512], pid_text[16];
  const char *argv[40] = {helper, pid_text};
  size_t n = 2;
  snprintf(pid_text, sizeof pid_text, "%d", (int)pid);
  snprintf(copy, sizeof copy, "%s", triples);
  for (char *save = NULL, *word = strtok_r(copy, " ", &save); word && n + 1 < 40; word = strtok_r(NULL, " ", &save)) argv[n++] = word;
  argv[n] = NULL;
  pid_t child;
  if (posix_spawn(&child, helper, NULL, NULL, (char *const *)argv, environ) != 0) return -1;
  return wait_status(child) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
  if (argc < 7 || strcmp(argv[5], "--") != 0) {
    fprintf(stderr, "usage: hush-userns NEWUIDMAP NEWGIDMAP UID_TRIPLES GID_TRIPLES -- CMD [ARG...]\n");
    return 125;
  }
  int ready[2], go[2];
  if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) return 125;
  pid_t pid = fork();
  if (pid < 0) return 125;
  char byte = 0;
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (unshare(CLONE_NEWUSER) < 0) {
      fprintf(stderr, "hush-userns: unshare(CLONE_NEWUSER): %s\n", strerror(errno));
      _exit(125);
    }
    if (write(ready[1], "u", 1) != 1 || read(go[0], &byte, 1) != 1) _exit(125);
    execvp(argv[6], argv + 6);
    fprintf(stderr, "hush-userns: %s: %s\n", argv[6], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
  }
  close(ready[1]);
  close(go[0]);
  if (read(ready[0], &byte, 1) != 1) return wait_status(pid);
  if (map(argv[1], pid, argv[3]) < 0 || map(argv[2], pid, argv[4]) < 0) {
    fprintf(stderr, "hush-userns: %s or %s refused the maps\n", argv[1], argv[2]);
    kill(pid, SIGKILL);
    wait_status(pid);
    return 125;
  }
  if (write(go[1], "g", 1) != 1) return 125;
  close(go[1]);
  return wait_status(pid);
}
