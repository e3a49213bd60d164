// hush's default seccomp profile, in the Docker/OCI profile format so that it takes the same
// path as a user's file. Modelled on Docker's and podman's defaults: an allow list of what
// ordinary programs use; a list of calls that are refused with EPERM (so callers see a clear
// "not permitted"); and everything else, including syscalls newer than this list, ENOSYS, so
// that libc falls back to older calls. A capability granted with --cap-add brings back the
// calls that need it, as in Docker.

import type { SeccompProfile } from './seccomp-profile';

const allowed = `
accept accept4 access adjtimex alarm arch_prctl bind brk cachestat capget capset chdir chmod chown
chown32 clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime
clock_gettime64 clock_nanosleep clock_nanosleep_time64 close close_range connect copy_file_range
creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2
epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2
fadvise64 fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat fchmodat2 fchown fchown32
fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat
fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futex_requeue futex_time64
futex_wait futex_waitv futex_wake futimesat get_robust_list get_thread_area getcpu getcwd getdents
getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 getitimer
getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid getresgid32 getresuid
getresuid32 getrlimit getrusage getsid getsockname getsockopt gettid gettimeofday getuid getuid32
getxattr getxattrat inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel
io_destroy io_getevents io_pgetevents io_pgetevents_time64 io_setup io_submit ioctl ioprio_get
ioprio_set ipc kill landlock_add_rule landlock_create_ruleset landlock_restrict_self lchown
lchown32 lgetxattr link linkat listen listmount listxattr llistxattr _llseek lremovexattr lseek
lsetxattr lstat lstat64 madvise map_shadow_stack membarrier memfd_create memfd_secret mincore mkdir
mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2 modify_ldt mprotect mq_getsetattr mq_notify
mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap
mseal msgctl msgget msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep
newfstatat _newselect open openat openat2 pause pidfd_open pidfd_send_signal pipe pipe2
pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64
process_mrelease process_vm_readv process_vm_writev pselect6 pselect6_time64 ptrace pwrite64
pwritev pwritev2 read readahead readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64
recvmsg remap_file_pages removexattr removexattrat rename renameat renameat2 restart_syscall rmdir
rseq rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend
rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_get_priority_max
sched_get_priority_min sched_getaffinity sched_getattr sched_getparam sched_getscheduler
sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr
sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop
semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto set_robust_list
set_thread_area set_tid_address setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32
setgroups setgroups32 setitimer setpgid setpriority setregid setregid32 setresgid setresgid32
setresuid setresuid32 setreuid setreuid32 setrlimit setsid setsockopt setuid setuid32 setxattr
setxattrat shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigprocmask
sigreturn socketcall socketpair splice stat stat64 statfs statfs64 statmount statx
symlink symlinkat sync sync_file_range syncfs sysinfo tee tgkill time timer_create timer_delete
timer_getoverrun timer_gettime timer_gettime64 timer_settime timer_settime64 timerfd_create
timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill truncate
truncate64 ugetrlimit umask uname unlink unlinkat uretprobe utime utimensat utimensat_time64
utimes vfork vmsplice wait4 waitid waitpid write writev`;

/** Refused with EPERM unless the capability in the same entry is granted (then allowed). */
const refusedUnlessCapability: [capability: string, names: string][] = [
  ['CAP_SYS_ADMIN', 'mount umount umount2 pivot_root move_mount open_tree fsopen fsconfig fsmount fspick mount_setattr unshare setns fanotify_init lookup_dcookie quotactl quotactl_fd sethostname setdomainname'],
  ['CAP_SYS_BOOT', 'reboot'],
  ['CAP_SYS_CHROOT', 'chroot'],
  ['CAP_SYS_MODULE', 'init_module finit_module delete_module'],
  ['CAP_SYS_PACCT', 'acct'],
  ['CAP_SYS_PTRACE', 'kcmp process_madvise pidfd_getfd'],
  ['CAP_SYS_RAWIO', 'iopl ioperm'],
  ['CAP_SYS_TIME', 'settimeofday stime clock_settime clock_settime64'],
  ['CAP_SYS_TTY_CONFIG', 'vhangup'],
  ['CAP_SYS_NICE', 'get_mempolicy mbind set_mempolicy set_mempolicy_home_node migrate_pages move_pages'],
  ['CAP_SYSLOG', 'syslog'],
  ['CAP_BPF', 'bpf'],
  ['CAP_PERFMON', 'perf_event_open'],
  ['CAP_DAC_READ_SEARCH', 'open_by_handle_at'],
];

/** Refused with EPERM whatever the capabilities. */
const refused = `add_key keyctl request_key userfaultfd kexec_load kexec_file_load swapon swapoff
nfsservctl uselib ustat sysfs _sysctl create_module get_kernel_syms query_module vm86 vm86old
io_uring_setup io_uring_enter io_uring_register`;

const words = (text: string) => text.trim().split(/\s+/);
const EPERM = 1;
const ENOSYS = 38;
const AF_VSOCK = 40;
/** CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET (NEWTIME is clone3's only). */
const namespaceFlagList = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];
const namespaceFlags = namespaceFlagList.reduce((all, flag) => all | flag, 0);

export const defaultSeccompProfile: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: ENOSYS,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: words(allowed), action: 'SCMP_ACT_ALLOW' },
    // Threads and processes, but no new namespaces (unless CAP_SYS_ADMIN).
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: namespaceFlags, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }], excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    // clone3 passes its flags in memory, which a filter cannot read: ENOSYS makes libc use clone.
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['clone3'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    // Sockets of every family but AF_VSOCK, which no network namespace confines (it reaches the
    // hypervisor, or the host's virtual machines).
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: AF_VSOCK, op: 'SCMP_CMP_NE' }] },
    { names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: [{ index: 0, value: AF_VSOCK, op: 'SCMP_CMP_EQ' }] },
    // Only the execution domains ordinary programs ask for (PER_LINUX, UNAME26, LINUX32, a query).
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [0x0, 0x8, 0x20000, 0x20008, 0xffffffff].map((value) => ({ index: 0, value, op: 'SCMP_CMP_EQ' as const })) },
    // Any namespace flag: EPERM (one comparison per flag; on the same argument they are ORed).
    { names: ['clone'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: namespaceFlagList.map((flag) => ({ index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' as const })), excludes: { caps: ['CAP_SYS_ADMIN'] } },
    ...refusedUnlessCapability.flatMap(([capability, names]) => [
      { names: words(names), action: 'SCMP_ACT_ALLOW' as const, includes: { caps: [capability] } },
      { names: words(names), action: 'SCMP_ACT_ERRNO' as const, errnoRet: EPERM, excludes: { caps: [capability] } },
    ]),
    { names: words(refused), action: 'SCMP_ACT_ERRNO', errnoRet: EPERM },
  ],
};
