/* Shared declarations of the native side. Everything that runs in the child between clone
 * and exec is plain C over buffers prepared before clone, and touches only raw syscalls and
 * async-signal-safe functions: the parent is a multi-threaded Node process, so no lock that
 * another thread might have held (malloc, stdio, glibc's setxid) may be taken there. */
#ifndef HUSH_H
#define HUSH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HUSH_PATH_MAX 4096

/* Everything the child needs, prepared by the parent before clone. */
struct hush_spec {
  const char *rootfs;          /* directory to bind as the container's root */
  int host_root;               /* rootfs is the host's "/": give it a private /run */
  char *const *argv;           /* NULL-terminated */
  char *const *envp;           /* NULL-terminated */
  const char *path_env;        /* PATH used to look up argv[0] */
  const char *hostname;
  const char *workdir;
  const char *secrets_dir;     /* absolute path inside the container */
  int secrets_fd;              /* detached tmpfs from hush_secrets_fs_create, or -1 */
  uid_t uid;
  gid_t gid;
  int net_none;                /* new network namespace with loopback up */
  int use_init;                /* run our init as PID 1 and the app as its child */
  int init_fd;                 /* the hush-init executable, opened by the launcher */
  int rootfs_fd;               /* a detached mount (overlay-fs.c) used as the root instead of rootfs, or -1 */
  const int *volume_fds;       /* detached mounts from hush_volume_open ... */
  const char *const *volume_targets; /* ... and where each goes inside the root (volumes.c) */
  size_t volume_count;
};

/* One failure record, sent whole over the SOCK_SEQPACKET error channel. */
enum hush_record_type { HUSH_RECORD_ERROR = 1, HUSH_RECORD_READY = 2 };

struct hush_record {
  int32_t type;
  int32_t err;        /* errno of the failed call */
  char syscall[32];   /* what failed: "chdir", "mount", "execve" ... */
  char path[512];     /* the path or object it failed on */
};

/* Control messages from the parent to our init. */
enum hush_control_type { HUSH_CONTROL_RESTART = 1 };

struct hush_control_header {
  int32_t type;
  int32_t stop_signal;
  int32_t timeout_ms;
  int32_t env_bytes;  /* followed by env_bytes of NUL-terminated "K=V" strings */
};

#define HUSH_CONTROL_MAX (256 * 1024)

/* error-channel.c */
void hush_report(int fd, const char *syscall, const char *path, int err);
void hush_send_ready(int fd);
size_t hush_strlcpy(char *dst, const char *src, size_t size);
int hush_join(char *dst, size_t size, const char *a, const char *b);

/* setup-mounts.c: builds the root under a scratch directory, pivots into it. */
int hush_setup_mounts(const struct hush_spec *spec, int report_fd);
int hush_bring_up_loopback(int report_fd);

/* setup-credentials.c */
int hush_drop_init_privileges(int report_fd);
int hush_become_app_user(const struct hush_spec *spec, int report_fd);
void hush_reset_signals(void);

/* init.c (in hush-init): PID 1 of the container. Never returns. */
void hush_init_main(const struct hush_spec *spec, int control_fd) __attribute__((noreturn));
/* exec-app.c: execs the app, searching PATH; on failure reports on report_fd and returns. */
void hush_exec_app(char *const *argv, char *const *envp, const char *path_env, int report_fd);

/* spawn.c */
struct hush_spawn_result {
  pid_t pid;
  int pidfd;
  int control_fd;     /* our end of the channel to init, -1 without init */
  struct hush_record failure;  /* type == HUSH_RECORD_ERROR when setup failed */
};
int hush_spawn(const struct hush_spec *spec, struct hush_spawn_result *out);

/* write-files.c: 0, or the errno of the step that failed (the temporary file is removed). */
int hush_write_file_at(int dirfd, const char *name, const char *temp, const uint8_t *bytes, size_t length,
                       unsigned mode, long uid, long gid, int chmod_needed, int do_fsync);

/* secrets-fs.c */
int hush_secrets_fs_create(uint64_t size_bytes, uid_t uid, gid_t gid, int *noswap, const char **failed_step);

/* overlay-fs.c and layer-nodes.c: image roots and what the image unpacker needs from the kernel */
int hush_overlay_fs_create(const char *const *lower_dirs, size_t count, uint64_t upper_size, const char **failed_step);
int hush_mount_set_readonly(int mount_fd);
int hush_mknod_at(int dirfd, const char *name, unsigned mode, unsigned major, unsigned minor);
int hush_set_xattr_at(int dirfd, const char *name, const char *key, const void *value, size_t length);

/* volumes.c: --volume */
int hush_volume_open(const char *host_path, int read_only);
int hush_setup_volumes(const struct hush_spec *spec, const char *root_path, int report_fd);

#ifdef __cplusplus
}
#endif
#endif
