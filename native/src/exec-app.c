/* Exec the app, searching PATH like execvpe but without allocating: this runs between clone
 * and exec in a child that shares the Node parent's memory. */
#include "hush.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void hush_exec_app(char *const *argv, char *const *envp, const char *path_env, int report_fd) {
  const char *name = argv[0];
  if (strchr(name, '/')) {
    execve(name, argv, envp);
    int err = errno;
    struct stat st;
    /* execve says EACCES for a directory; say what it is. */
    if (err == EACCES && stat(name, &st) == 0 && S_ISDIR(st.st_mode)) err = EISDIR;
    hush_report(report_fd, "exec", name, err);
    return;
  }
  char candidate[HUSH_PATH_MAX];
  int saw_eacces = 0;
  const char *dir = path_env ? path_env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (;;) {
    const char *end = strchr(dir, ':');
    size_t len = end ? (size_t)(end - dir) : strlen(dir);
    size_t name_len = strlen(name);
    if (len + 1 + name_len + 1 <= sizeof candidate) {
      memcpy(candidate, dir, len);
      if (len == 0) candidate[len++] = '.';
      candidate[len] = '/';
      memcpy(candidate + len + 1, name, name_len + 1);
      execve(candidate, argv, envp);
      if (errno == EACCES) saw_eacces = 1;
      else if (errno != ENOENT && errno != ENOTDIR) {
        hush_report(report_fd, "exec", name, errno);
        return;
      }
    }
    if (!end) break;
    dir = end + 1;
  }
  hush_report(report_fd, "exec", name, saw_eacces ? EACCES : ENOENT);
}
