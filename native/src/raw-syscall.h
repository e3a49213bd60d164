/* System calls that never touch errno: they return -errno instead.
 *
 * A rootless child shares the launcher's memory, and so its thread-local errno, while Node's
 * main thread runs on (userns-child.c): glibc's wrappers would write into the errno that libuv
 * is reading. Until the parent waits for it, that child makes no other call. */
#ifndef HUSH_RAW_SYSCALL_H
#define HUSH_RAW_SYSCALL_H

#if defined(__x86_64__)
static inline long hush_raw_syscall(long nr, long a, long b, long c, long d, long e, long f) {
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
  return ret;
}
#define HUSH_HAVE_RAW_SYSCALL 1
#elif defined(__aarch64__)
static inline long hush_raw_syscall(long nr, long a, long b, long c, long d, long e, long f) {
  register long x8 __asm__("x8") = nr;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  register long x5 __asm__("x5") = f;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
  return x0;
}
#define HUSH_HAVE_RAW_SYSCALL 1
#endif

#define HUSH_RAW(nr, ...) hush_raw_syscall_n(nr, __VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define hush_raw_syscall_n(nr, a, b, c, d, e, f, ...) hush_raw_syscall((long)(nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

#endif
