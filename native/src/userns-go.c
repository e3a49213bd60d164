/* The rootless child from GO (or, with --userns auto, MAPPED) on: the launcher waits for its
 * exec with every signal blocked, as a vfork parent would, so libc may be called again (the
 * child still writes only to its stack). What needs the maps is done here:
 *   --userns auto: the child still has host root's uid, which its namespace does not map; it
 *     becomes the namespace's root before it mounts anything (userns-auto.c);
 *   rootless: volumes and an image's root, mounted in the child since the launcher cannot
 *     (userns-root.c), then the app's view of the tmpfs the child made before GO
 *     (userns-idmap.c: with --user N, the caller's files as N's). */
#include "hush.h"

int hush_userns_child_go(struct hush_spec *started, int kind, int *volume_fds, int report_fd) {
  if (kind == HUSH_USERNS_AUTO) return hush_userns_become_root(report_fd);
  const struct hush_userns_root *root = started->userns->root;
  if (hush_userns_build(root, started, volume_fds, report_fd) < 0) return -1;
  int view_fd = hush_userns_secrets_view(root, started->secrets_fd, report_fd);
  if (view_fd < 0) return -1;
  started->secrets_fd = view_fd;
  return 0;
}
