/* Rootless runs: the container in a user namespace of its own, where the caller is root.
 *
 * A process can enter a new user namespace only while it has one thread, so Node cannot make
 * the secrets tmpfs for such a container itself (an ordinary user cannot mount one outside a
 * user namespace either): the child makes it, inside its namespaces, and sends it back.
 *
 * The child must wait for the parent twice, so it cannot be a vfork child (that would keep the
 * parent suspended through both waits), and a copy of the parent (fork) costs the page tables
 * of the whole Node process at clone, then a copy-on-write fault for each page Node writes
 * while the child waits. So it shares the parent's memory (CLONE_VM) without CLONE_VFORK, on a
 * stack of its own that the parent keeps here until the child has exec'd (userns-child.c says
 * what it may do meanwhile). The sync socket orders the start:
 *   child  → parent SECRETS    the tmpfs, by SCM_RIGHTS; err = 1 when noswap was accepted. The
 *                              child makes it at once, while we write the id maps
 *                              (userns-maps.c); hush_spawn returns here, newuidmap/newgidmap
 *                              may run on: hush_userns_mapped waits for them before the
 *                              agent's first write (the files' owner must be mapped)
 *   (--userns auto, root made the tmpfs: parent → child MAPPED once the maps are written, then
 *   we wait for the exec as after GO; the child becomes the namespace's root first)
 *   parent → child  GO         hush_userns_release: the child reads the release's spec (the
 *                              app's environment and masks are known only now) from our memory
 *   EOF                        the child exec'd (or died; the verdict is on the error channel)
 * From GO to that EOF the parent waits, signals blocked, as a vfork parent would (~2 ms of
 * setup), and reads no errno: the child writes the one they share. */
#include "hush.h"
#include "raw-syscall.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Rootless starts between hush_spawn and their release: the child's stack and arguments, and
 * the map helpers, which may still run. */
static struct {
  int sync_fd;
  void *region;
  size_t size;
  struct hush_child_args *args;
  struct hush_map_helpers helpers;
} pending[8];

/* The slot of sync_fd's start; with NULL, a free one. -1: none. */
static int find_pending(const int *sync_fd) {
  for (size_t i = 0; i < sizeof pending / sizeof pending[0]; i++)
    if (sync_fd ? pending[i].region && pending[i].sync_fd == *sync_fd : !pending[i].region) return (int)i;
  return -1;
}

static void wait_exec_blocked(int sync_fd) {
  char byte;
  long n;
  do n = HUSH_RAW(SYS_recvfrom, sync_fd, &byte, 1, 0, 0, 0);
  while (n > 0 || n == -EINTR);
}

/* Sends `byte` (GO or MAPPED) and waits for the child's exec with every signal blocked: from
 * that byte on the child uses libc, and so our errno (1, or -errno of the send). */
static long send_and_wait_exec(int sync_fd, char byte) {
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  long sent;
  do sent = HUSH_RAW(SYS_sendto, sync_fd, &byte, 1, MSG_NOSIGNAL, 0, 0);
  while (sent == -EINTR);
  if (sent != 1) HUSH_RAW(SYS_shutdown, sync_fd, SHUT_WR); /* the child exits 125 (EPIPE: it had died) */
  wait_exec_blocked(sync_fd);
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  return sent;
}

/* Waits until the child of a kept start has exec'd or died, then frees what it used. */
static void forget(int slot) {
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  wait_exec_blocked(pending[slot].sync_fd);
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  munmap(pending[slot].region, pending[slot].size);
  pending[slot].region = NULL;
}

int hush_userns_parent_start(const struct hush_spec *spec, pid_t pid, int sync_fd, const struct hush_child_region *child, struct hush_spawn_result *out) {
  int slot = spec->secrets_fd >= 0 ? 0 : find_pending(NULL);
  if (slot < 0) {
    hush_record_fill(&out->failure, "spawn", "rootless starts at once", EMFILE);
    return -1;
  }
  struct hush_map_helpers helpers;
  if (hush_userns_start_maps(spec->userns, pid, &helpers, &out->failure) < 0) return -1;
  out->sync_fd = sync_fd;
  if (spec->secrets_fd >= 0) {
    if (hush_userns_finish_maps(&helpers, &out->failure) < 0) return -1;
    send_and_wait_exec(sync_fd, HUSH_SYNC_MAPPED); /* fails once the child died: its verdict says why */
    return 0;
  }
  /* The child makes the tmpfs while newuidmap and newgidmap run; we need not wait for them
   * before the first write into it (hush_userns_mapped). */
  struct hush_record record;
  memset(&record, 0, sizeof record);
  ssize_t n = hush_receive_record(sync_fd, &record, &out->secrets_fd);
  if (n != (ssize_t)sizeof record || record.type != HUSH_RECORD_SECRETS) {
    if (out->secrets_fd >= 0) close(out->secrets_fd);
    out->secrets_fd = -1;
  }
  out->secrets_noswap = record.err == 1;
  pending[slot].sync_fd = sync_fd;
  pending[slot].region = child->region;
  pending[slot].size = child->size;
  pending[slot].args = child->args;
  pending[slot].helpers = helpers;
  return 0;
}

int hush_userns_mapped(int sync_fd, struct hush_record *failure) {
  int slot = find_pending(&sync_fd);
  if (slot < 0) {
    hush_record_fill(failure, "spawn", "no rootless start on this descriptor", EBADF);
    return -1;
  }
  return hush_userns_finish_maps(&pending[slot].helpers, failure);
}

int hush_userns_release(int sync_fd, const struct hush_spec *spec, struct hush_record *failure) {
  if (hush_userns_mapped(sync_fd, failure) < 0) {
    hush_userns_abort(sync_fd);
    return -1;
  }
  int slot = find_pending(&sync_fd);
  struct hush_child_args *args = pending[slot].args;
  /* The child's descriptors are those of the spawn: hush-init's, and the tmpfs it made. */
  struct hush_spec go = *spec;
  go.init_fd = args->init_fd;
  char numbers[3][24];
  char **init_argv = go.use_init ? hush_build_init_argv(&go, args->fd, numbers) : NULL;
  if (go.use_init && !init_argv) {
    hush_userns_abort(sync_fd);
    hush_record_fill(failure, "malloc", "hush-init's arguments", ENOMEM);
    return -1;
  }
  args->spec = &go;
  args->init_argv = init_argv;
  long sent = send_and_wait_exec(sync_fd, HUSH_SYNC_GO); /* the child reads `go` and init_argv until then */
  munmap(pending[slot].region, pending[slot].size);
  pending[slot].region = NULL;
  free(init_argv);
  if (sent == 1 || sent == -EPIPE) return 0; /* the verdict is on the error channel */
  hush_record_fill(failure, "send", "sync (rootless start)", (int)-sent);
  return -1;
}

void hush_userns_abort(int sync_fd) {
  int slot = find_pending(&sync_fd);
  /* EOF on GO's socket: the child exits 125. */
  shutdown(sync_fd, SHUT_WR);
  if (slot < 0) return;
  struct hush_record ignored;
  memset(&ignored, 0, sizeof ignored);
  hush_userns_finish_maps(&pending[slot].helpers, &ignored);
  forget(slot);
}
