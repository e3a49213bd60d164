/* The container's cgroup, child side. The launcher makes the cgroups and opens them; here the
 * child starts inside the v2 one (clone3 with CLONE_INTO_CGROUP: it never runs a moment in
 * hush's own cgroup), joins the v1 ones by writing "0" (itself) into their `tasks` before
 * anything else, and then enters a new cgroup namespace, rooted at the container's cgroups in
 * every hierarchy, so the app sees its own cgroup as "/".
 *
 * `tasks`, not `cgroup.procs`: a thread moving itself is the one migration the kernel makes
 * without taking cgroup_threadgroup_rwsem for writing, which waits for an RCU grace period
 * (8-50 ms on a busy machine). The child has one thread, so moving it moves the process.
 *
 * clone3 returns in the child on the new stack, where compiled code cannot run until a
 * function is called: the x86-64 trampoline below does that call itself. On other machines
 * the child is cloned as before and writes itself into the v2 cgroup.procs instead. */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#define HUSH_CLONE_INTO_CGROUP 0x200000000ULL

/* The kernel's struct clone_args up to `cgroup` (CLONE_ARGS_SIZE_VER2). */
struct hush_clone_args {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

#if defined(__x86_64__)
#define HUSH_HAVE_CLONE3 1
/* Returns in the parent only: the child's pid, or -errno. The child calls fn(arg) on its own
 * stack (the kernel keeps every register but rax, rcx and r11) and exits with its result. */
static long clone3_call(struct hush_clone_args *args, int (*fn)(void *), void *arg) {
  long ret;
  __asm__ volatile(
      "syscall\n\t"
      "test %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      "xor %%ebp, %%ebp\n\t"
      "mov %[arg], %%rdi\n\t"
      "call *%[fn]\n\t"
      "mov %%eax, %%edi\n\t"
      "mov %[exit_nr], %%eax\n\t"
      "syscall\n\t"
      "hlt\n"
      "1:\n\t"
      : "=a"(ret)
      : "0"((long)SYS_clone3), "D"(args), "S"(sizeof *args), [fn] "r"(fn), [arg] "r"(arg), [exit_nr] "i"(SYS_exit)
      : "rcx", "r11", "memory");
  return ret;
}
#endif

pid_t hush_clone(int (*fn)(void *), void *stack, size_t stack_size, int flags, void *arg, int *pidfd, int cgroup_fd) {
#ifdef HUSH_HAVE_CLONE3
  if (cgroup_fd >= 0) {
    struct hush_clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = ((uint64_t)(unsigned)flags & ~(uint64_t)CSIGNAL) | HUSH_CLONE_INTO_CGROUP;
    args.exit_signal = (unsigned)flags & CSIGNAL;
    args.pidfd = (uint64_t)(uintptr_t)pidfd;
    args.stack = (uint64_t)(uintptr_t)stack;
    args.stack_size = stack_size;
    args.cgroup = (uint64_t)cgroup_fd;
    long ret = clone3_call(&args, fn, arg);
    if (ret < 0) {
      errno = (int)-ret;
      return -1;
    }
    return (pid_t)ret;
  }
#endif
  return clone(fn, (char *)stack + stack_size, flags, arg, pidfd);
}

static int write_self(int fd, const char *what, int report_fd) {
  if (write(fd, "0", 1) == 1) return 0;
  hush_report(report_fd, "write", what, errno);
  return -1;
}

int hush_enter_cgroups(const struct hush_spec *spec, int report_fd) {
  for (int i = 0; i < spec->cgroup_join_count; i++) {
    if (write_self(spec->cgroup_join_fds[i], "tasks (cgroup v1)", report_fd) < 0) return -1;
  }
#ifndef HUSH_HAVE_CLONE3
  if (spec->cgroup_fd >= 0) {
    int fd = openat(spec->cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write_self(fd, "cgroup.procs (v2)", report_fd) < 0) {
      if (fd < 0) hush_report(report_fd, "open", "cgroup.procs (v2)", errno);
      return -1;
    }
    close(fd);
  }
#endif
  if (unshare(CLONE_NEWCGROUP) < 0) {
    hush_report(report_fd, "unshare", "cgroup namespace", errno);
    return -1;
  }
  return 0;
}
