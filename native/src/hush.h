/* Shared declarations of the native side. Everything that runs in the child between clone
 * and exec is plain C over buffers prepared before clone, and touches only raw syscalls and
 * async-signal-safe functions: the parent is a multi-threaded Node process, so no lock that
 * another thread might have held (malloc, stdio, glibc's setxid) may be taken there. */
#ifndef HUSH_H
#define HUSH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <linux/filter.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HUSH_PATH_MAX 4096

/* Retries a call that failed with EINTR (glibc's TEMP_FAILURE_RETRY, without relying on it). */
#define HUSH_RETRY(expression)                 \
  (__extension__({                             \
    long hush_retry_result_;                   \
    do hush_retry_result_ = (long)(expression); \
    while (hush_retry_result_ == -1L && errno == EINTR); \
    hush_retry_result_;                        \
  }))

/* A writable tmpfs in the container (/tmp, /run, /dev/shm, --tmpfs): its options as strings,
 * formatted before clone. */
struct hush_tmpfs_mount {
  const char *path;   /* absolute inside the container */
  const char *size;   /* bytes, decimal */
  const char *mode;   /* octal */
  int noexec;
};

/* One read-only mount of the container's own cgroups at /sys/fs/cgroup (cgroup-view.c). */
struct hush_cgroup_mount {
  const char *dir;               /* name under /sys/fs/cgroup; "" for /sys/fs/cgroup itself */
  int v2;                        /* cgroup2, else a cgroup v1 hierarchy */
  const char *const *options;    /* v1: its controllers (flags) and name=X; NULL-terminated */
};

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

  /* Hardening (issue 9): sized tmpfs mounts and masks, every path resolved inside the root. */
  const struct hush_tmpfs_mount *tmpfs;  /* mounted in order (parents first) */
  size_t tmpfs_count;
  char *const *mask_paths;               /* NULL-terminated: hidden behind an empty read-only file or dir */
  const struct hush_hardening *hardening; /* what confines the app (never NULL) */
  /* cgroup.c: the container's cgroups, made and opened by the launcher */
  int cgroup_fd;               /* v2 directory to start in (CLONE_INTO_CGROUP), or -1 */
  const int *cgroup_join_fds;  /* v1 `tasks` files the child writes itself ("0") into */
  int cgroup_join_count;
  const struct hush_cgroup_mount *cgroup_view; /* cgroup-view.c: /sys/fs/cgroup, else it is masked */
  size_t cgroup_view_count;
  int rootfs_fd;               /* a detached mount (overlay-fs.c) used as the root instead of rootfs, or -1 */
  int seal_rootfs_fd;          /* rootfs_fd is a --rootfs (idmapped, userns-auto.c): read-only once set up */
  const int *volume_fds;       /* detached mounts from hush_volume_open ... */
  const char *const *volume_targets; /* ... and where each goes inside the root (volumes.c) */
  size_t volume_count;
  const struct hush_userns *userns;  /* rootless: a user namespace of the container's own, or NULL */
};

/* userns.c: what a rootless spawn maps and how it makes the secrets tmpfs in the child. */
struct hush_userns {
  const char *const *uid_map;  /* inside, outside, count, ... NULL-terminated */
  const char *const *gid_map;
  const char *newuidmap;       /* the setuid helpers for a /etc/subuid range, or NULL: one-line */
  const char *newgidmap;       /* maps written by the launcher itself */
  const char *secrets_size;    /* the tmpfs's size, formatted before clone (its root is the caller's) */
  int deny_setgroups;          /* an ordinary user's one-line gid map: setgroups is denied first */
  const struct hush_userns_root *root; /* what the child mounts itself (userns-root.c), or NULL */
};

/* userns-root.c, userns-idmap.c: rootless volumes, an image's overlay and the app's view of
 * the secrets, made by the child in its namespaces after GO (the release's spec: its strings
 * formatted before the release). */
struct hush_userns_root {
  const char *const *lower_dirs;      /* an image's layers, topmost first, NULL-terminated; NULL: no image */
  int read_only;                      /* --read-only: sealed once hush's files are in */
  const char *const *dirs;            /* mount points made inside the image root */
  const char *const *files;           /* empty files made there unless present (file volumes) */
  const char *const *writes;          /* path, content, ... NULL: files hush puts in (/etc/hosts...) */
  const char *const *volume_hosts;    /* --volume host paths, cloned in the child ... */
  const int *volume_read_only;
  const char *const *volume_targets;  /* ... and where each goes (volumes.c attaches them) */
  size_t volume_count;
  const char *secrets_uid_map;        /* "0 N 1\n": the secrets read as the app's (--user N), or NULL */
  const char *secrets_gid_map;
};
int hush_userns_build(const struct hush_userns_root *r, struct hush_spec *started, int *volume_fds, int report_fd);
int hush_userns_secrets_view(const struct hush_userns_root *r, int tmpfs_fd, int report_fd);

/* ---- The app's confinement: capabilities.c, landlock.c, seccomp-load.c, tty.c ----
 * Built by the parent before clone; sent whole to hush-init as the first message on its
 * control channel, since init, not the first child, starts the app. */
#define HUSH_FILTER_MAX 4096  /* BPF_MAXINSNS */

struct hush_hardening {
  uint64_t caps_bounding;    /* the app's bounding set; a root app's effective/permitted set too */
  uint64_t caps_ambient;     /* a non-root app's ambient (and inheritable, permitted, effective) set */
  uint64_t landlock_scopes;  /* LANDLOCK_SCOPE_* to apply; 0 where the kernel lacks them */
  int32_t tty;               /* stdin is the container's pty: make it the controlling terminal */
  uint16_t tty_columns, tty_rows;  /* its first window size, set before the app starts */
  uint32_t filter_len;       /* instructions in filter; 0 with --seccomp unconfined */
  struct sock_filter filter[HUSH_FILTER_MAX];
};

/* capabilities.c: the app's capability sets, after its identity is set (keepcaps on). */
int hush_set_app_capabilities(const struct hush_hardening *h, uid_t uid, int report_fd);
int hush_drop_bounding_except(uint64_t keep, int report_fd);
/* Capabilities init keeps so that it can start the app again: the app's and setuid's. */
uint64_t hush_init_capabilities(const struct hush_hardening *h);
/* keyring.c: a fresh anonymous session keyring (no possession of the caller's keys). */
int hush_join_fresh_keyring(int report_fd);
/* tty.c */
int hush_open_container_pty(const struct hush_hardening *h, int report_fd);     /* slave on 0,1,2; master sent as HUSH_RECORD_PTY */
int hush_enter_new_session(int tty, int report_fd);
/* landlock.c */
int hush_landlock_abi(void);
int hush_apply_landlock(uint64_t scopes, int report_fd);
/* seccomp-load.c: the last step before exec (no_new_privs is already set). */
int hush_load_filter(const struct hush_hardening *h, int report_fd);
/* The confinement steps between identity and exec, in order. */
int hush_confine_app(const struct hush_hardening *h, int report_fd);

/* One failure record, sent whole over the SOCK_SEQPACKET error channel. */
enum hush_record_type { HUSH_RECORD_ERROR = 1, HUSH_RECORD_READY = 2, HUSH_RECORD_PTY = 3 /* + SCM_RIGHTS */, HUSH_RECORD_SECRETS = 4 /* + SCM_RIGHTS */ };

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

/* signals.c: what init forwards to the app */
extern const int hush_forwarded_signals[];
extern const size_t hush_forwarded_signal_count;

/* error-channel.c */
void hush_record_fill(struct hush_record *rec, const char *syscall, const char *path, int err);
void hush_send_record(int fd, const struct hush_record *rec);
void hush_report(int fd, const char *syscall, const char *path, int err);
void hush_send_ready(int fd);
/* One record of `type` carrying the descriptor `passed` (SCM_RIGHTS): 0, or -1 with errno. */
int hush_send_record_fd(int fd, int type, int32_t err, int passed);
/* That record's message, built in place without a syscall, for senders that may make only raw
 * ones (userns-child.c): send `&m->msg`. C only (a cmsghdr in a union is no C++). */
#ifndef __cplusplus
struct hush_fd_message {
  struct hush_record record;
  struct iovec iov;
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  struct msghdr msg;
};
void hush_fd_message_init(struct hush_fd_message *m, int type, int32_t err, int passed);
#endif
/* Writes `text` to `path` in one write (a /proc file such as uid_map): 0, or -1 with errno. */
int hush_write_text(const char *path, const char *text);
size_t hush_strlcpy(char *dst, const char *src, size_t size);
int hush_join(char *dst, size_t size, const char *a, const char *b);

/* setup-mounts.c: builds the root under a scratch directory, pivots into it. */
int hush_setup_mounts(const struct hush_spec *spec, int report_fd);
int hush_bring_up_loopback(int report_fd);
/* setup-dev.c, setup-masks.c: steps of hush_setup_mounts, on the root's descriptor. */
int hush_setup_dev(int root_fd, int report_fd);
int hush_setup_masks(const struct hush_spec *spec, int root_fd, int report_fd);
/* cgroup-view.c: the container's cgroups, read-only, at /sys/fs/cgroup (after its cgroup namespace). */
int hush_setup_cgroup_view(const struct hush_spec *spec, int root_fd, int report_fd);

/* resolve-in-root.c: an O_PATH descriptor for `path` beneath root_fd, symlinks resolved as
 * if root_fd were "/"; with create, missing directories are made on the way. */
int hush_open_in_root(int root_fd, const char *path, int create);
int hush_path_in_root(int fd, const char *root_path, char *out, size_t size);

/* mount-fs.c: the new mount API; every target is a descriptor. */
int hush_set_mount_attr(int mount_fd, unsigned at_flags, uint64_t set, uint64_t clear);
/* options: key, value pairs, NULL-terminated; a NULL value sets the key as a flag. */
int hush_new_fs(const char *fstype, const char *const *options, uint64_t attrs);
int hush_clone_tree(int dirfd, const char *path, unsigned at_flags, uint64_t set, uint64_t clear);
int hush_attach(int mount_fd, int target_fd); /* closes mount_fd */
int hush_mount_fs_at(int root_fd, const char *path, const char *fstype, const char *const *options, uint64_t attrs);

/* setup-credentials.c */
int hush_drop_init_privileges(const struct hush_hardening *h, int report_fd);
int hush_become_app_user(const struct hush_spec *spec, int report_fd);
void hush_reset_signals(void);

/* init.c (in hush-init): PID 1 of the container. Never returns. */
void hush_init_main(const struct hush_spec *spec, int control_fd) __attribute__((noreturn));
/* exec-app.c: execs the app, searching PATH; on failure reports on report_fd and returns. */
void hush_exec_app(char *const *argv, char *const *envp, const char *path_env, int report_fd);

/* cgroup.c: clone, through clone3 into cgroup_fd when it is >= 0; then, in the child, join
 * the v1 cgroups and enter a new cgroup namespace. */
pid_t hush_clone(int (*fn)(void *), void *stack, size_t stack_size, int flags, void *arg, int *pidfd, int cgroup_fd);
int hush_enter_cgroups(const struct hush_spec *spec, int report_fd);

/* spawn.c: returns once the child has exec'd hush-init (or the app, or died); the verdict on
 * the app's exec comes later on channel_fd (see spawn.c's sync points), read from the event
 * loop by the addon. */
struct hush_spawn_result {
  pid_t pid;
  int pidfd;
  int channel_fd;     /* our end of the error channel; with init, also the control channel */
  int pty_fd;         /* with --tty: the master of the container's pty, else -1 */
  struct hush_record failure;  /* type == HUSH_RECORD_ERROR when the launcher's own step failed */
  int sync_fd;        /* rootless: our end of the sync socket (userns.c), until hush_userns_release */
  int secrets_fd;     /* rootless: the tmpfs the child made, or -1 when it died first */
  int secrets_noswap;
};
int hush_spawn(const struct hush_spec *spec, struct hush_spawn_result *out);
ssize_t hush_receive_record(int fd, struct hush_record *record, int *fd_out);
void hush_take_pty_record(int fd, int *pty_fd);

/* spawn.c: what the child of one spawn reads, from memory it shares with the parent (the
 * stack's region: a rootless child reads it until its exec, see userns.c). */
struct hush_child_args {
  const struct hush_spec *spec;  /* rootless: the release's spec from GO on */
  int fd;                        /* the child's end of the error/control channel */
  char *const *init_argv;        /* hush-init's arguments, built before clone (or GO) */
  int sync_fd;                   /* rootless: the child's end of the sync socket, else -1 */
  int parent_fds[2];             /* rootless: the parent's ends, which the child's table must close */
  int init_fd;                   /* hush-init, as the child's descriptor table has it */
};
char **hush_build_init_argv(const struct hush_spec *spec, int fd, char numbers[3][24]);
/* spawn-child.c: the child's code, clone to exec (arg: its hush_child_args). */
int hush_spawn_child_main(void *raw);

/* userns.c, userns-child.c, userns-maps.c: the rootless start's sync points */
enum { HUSH_SYNC_MAPPED = 'm', HUSH_SYNC_GO = 'g' };
/* Child, up to GO (raw syscalls only): fills `started` with the spec to go on with (the
 * release's, or the spawn's with --userns auto); which start it was, or -1. */
enum { HUSH_USERNS_OWN_TMPFS = 0, HUSH_USERNS_AUTO = 1 };
int hush_userns_child_wait(struct hush_child_args *args, struct hush_spec *started);
/* userns-go.c, child from GO (the parent waits): become root (auto), or mount what the launcher
 * could not (userns-root.c) and the app's view of the secrets (userns-idmap.c). volume_fds
 * has room for HUSH_USERNS_MAX_VOLUMES, on the child's stack. */
#define HUSH_USERNS_MAX_VOLUMES 64
int hush_userns_child_go(struct hush_spec *started, int kind, int *volume_fds, int report_fd);
/* userns-maps.c: one-line maps are written at once; newuidmap and newgidmap run meanwhile. */
struct hush_map_helpers {
  pid_t uid_helper, gid_helper;  /* 0: none running */
};
int hush_userns_start_maps(const struct hush_userns *u, pid_t pid, struct hush_map_helpers *h, struct hush_record *failure);
/* Waits for the helpers: 0 once both mapped, or -1 with *failure (the first failure is kept). */
int hush_userns_finish_maps(struct hush_map_helpers *h, struct hush_record *failure);
/* The child's region (spawn.c): kept from hush_spawn to the release or abort. */
struct hush_child_region {
  void *region;
  size_t size;
  struct hush_child_args *args;
};
/* After clone: the maps, and SECRETS (rootless: the start is kept; --userns auto: MAPPED, then
 * the wait for the exec). */
int hush_userns_parent_start(const struct hush_spec *spec, pid_t pid, int sync_fd, const struct hush_child_region *child, struct hush_spawn_result *out);
/* Waits for newuidmap/newgidmap: needed before the first write into the child's tmpfs. */
int hush_userns_mapped(int sync_fd, struct hush_record *failure);
/* GO with `spec` (the spawn's, its environment and masks final); returns once the child has
 * exec'd or died. The sync socket stays open (the caller closes it). */
int hush_userns_release(int sync_fd, const struct hush_spec *spec, struct hush_record *failure);
/* A kept child that will not be released: it exits 125; returns once it has. */
void hush_userns_abort(int sync_fd);
/* userns-auto.c: --userns auto as root. A user namespace with these maps, for idmapped mounts. */
int hush_idmap_userns_create(const char *const *uid_map, const char *const *gid_map, const char **failed_step);
int hush_idmap_mount(int mount_fd, int userns_fd); /* recursive; the mount must be detached */
int hush_userns_become_root(int report_fd);

/* write-files.c: 0, or the errno of the step that failed (the temporary file is removed). */
int hush_write_file_at(int dirfd, const char *name, const char *temp, const uint8_t *bytes, size_t length,
                       unsigned mode, long uid, long gid, int chmod_needed, int do_fsync);

/* notify.c: one datagram to a unix socket path ('@' = abstract); 0 or an errno. */
int hush_send_datagram(const char *path, size_t path_len, const void *data, size_t len);

/* secrets-fs.c */
int hush_secrets_fs_create(uint64_t size_bytes, uid_t uid, gid_t gid, int *noswap, const char **failed_step);

/* overlay-fs.c and layer-nodes.c: image roots and what the image unpacker needs from the kernel */
int hush_overlay_fs_create(const char *const *lower_dirs, size_t count, uint64_t upper_size, const char **failed_step);
int hush_mount_set_readonly(int mount_fd);
int hush_mknod_at(int dirfd, const char *name, unsigned mode, unsigned major, unsigned minor);
int hush_set_xattr_at(int dirfd, const char *name, const char *key, const void *value, size_t length);

/* volumes.c: --volume */
int hush_volume_open(const char *host_path, int read_only);
int hush_setup_volumes(const struct hush_spec *spec, int root_fd, int report_fd);

#ifdef __cplusplus
}
#endif
#endif
