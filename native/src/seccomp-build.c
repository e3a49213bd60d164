/* Compiles a seccomp profile into a classic BPF program with libseccomp, in the parent, before
 * clone. libseccomp is opened at run time (dlopen "libseccomp.so.2"), so building hush needs
 * no headers of it; its ABI (values, structs) has been stable since 2.x. The program is
 * exported to a memfd (seccomp_export_bpf) and read back into the hardening record. */
#include "hush-seccomp.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct scmp_arg_cmp {
  unsigned int arg;
  int op;
  uint64_t datum_a;
  uint64_t datum_b;
};

#define SCMP_FLTATR_ACT_BADARCH 2
#define SCMP_FLTATR_CTL_OPTIMIZE 8  /* libseccomp >= 2.5 */
#define SCMP_ACT_KILL_PROCESS 0x80000000U

static struct {
  void *(*init)(uint32_t def_action);
  void (*release)(void *ctx);
  uint32_t (*arch_resolve_name)(const char *name);
  int (*arch_add)(void *ctx, uint32_t arch_token);
  int (*attr_set)(void *ctx, int attr, uint32_t value);
  int (*syscall_resolve_name)(const char *name);
  int (*rule_add_array)(void *ctx, uint32_t action, int syscall, unsigned int arg_cnt, const struct scmp_arg_cmp *args);
  int (*export_bpf)(void *ctx, int fd);
  const struct { unsigned major, minor, micro; } *(*version)(void);
} lib;

static int load_library(char *error, size_t size) {
  static int loaded;
  if (loaded) return 0;
  void *handle = dlopen("libseccomp.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    snprintf(error, size, "cannot load libseccomp.so.2 (install libseccomp2): %s", dlerror());
    return -1;
  }
  struct { const char *name; void **slot; } symbols[] = {
      {"seccomp_init", (void **)&lib.init},
      {"seccomp_release", (void **)&lib.release},
      {"seccomp_arch_resolve_name", (void **)&lib.arch_resolve_name},
      {"seccomp_arch_add", (void **)&lib.arch_add},
      {"seccomp_attr_set", (void **)&lib.attr_set},
      {"seccomp_syscall_resolve_name", (void **)&lib.syscall_resolve_name},
      {"seccomp_rule_add_array", (void **)&lib.rule_add_array},
      {"seccomp_export_bpf", (void **)&lib.export_bpf},
      {"seccomp_version", (void **)&lib.version},
  };
  for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
    *symbols[i].slot = dlsym(handle, symbols[i].name);
    if (!*symbols[i].slot) {
      snprintf(error, size, "libseccomp.so.2 lacks %s", symbols[i].name);
      return -1;
    }
  }
  loaded = 1;
  return 0;
}

/* One rule on one syscall: its comparisons ANDed, or, when an argument index repeats (which
 * libseccomp cannot AND), one rule per comparison, ORed (runc and Docker do the same). */
static int add_rule(void *ctx, const struct hush_seccomp_rule *rule, int nr) {
  struct scmp_arg_cmp cmps[6];
  int repeats = 0;
  for (size_t i = 0; i < rule->arg_count && i < 6; i++) {
    cmps[i] = (struct scmp_arg_cmp){rule->args[i].index, (int)rule->args[i].op, rule->args[i].value, rule->args[i].value_two};
    for (size_t j = 0; j < i; j++) repeats |= rule->args[j].index == rule->args[i].index;
  }
  if (rule->arg_count > 6) repeats = 1;
  if (!repeats) return lib.rule_add_array(ctx, rule->action, nr, (unsigned)rule->arg_count, cmps);
  for (size_t i = 0; i < rule->arg_count; i++) {
    struct scmp_arg_cmp one = {rule->args[i].index, (int)rule->args[i].op, rule->args[i].value, rule->args[i].value_two};
    int rc = lib.rule_add_array(ctx, rule->action, nr, 1, &one);
    if (rc < 0) return rc;
  }
  return 0;
}

static int build(void *ctx, const struct hush_seccomp_profile *p, char *error, size_t size) {
  int rc = lib.attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (rc < 0) {
    snprintf(error, size, "libseccomp: setting the bad-architecture action failed (%s)", strerror(-rc));
    return -1;
  }
  /* A binary tree of syscall numbers rather than a list: a longer program, but the kernel
   * loads it about three times faster (at load it runs the filter for every syscall number to
   * find those it always allows). An older libseccomp without the option builds the list. */
  lib.attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  for (size_t i = 0; i < p->arch_count; i++) {
    uint32_t token = lib.arch_resolve_name(p->arches[i]);
    rc = token ? lib.arch_add(ctx, token) : -EINVAL;
    if (rc < 0 && rc != -EEXIST) {
      snprintf(error, size, "architecture %s: not supported by libseccomp (%s)", p->arches[i], strerror(-rc));
      return -1;
    }
  }
  for (size_t r = 0; r < p->rule_count; r++) {
    const struct hush_seccomp_rule *rule = &p->rules[r];
    if (rule->action == p->default_action) continue; /* libseccomp refuses a rule that changes nothing */
    for (size_t n = 0; n < rule->name_count; n++) {
      int nr = lib.syscall_resolve_name(rule->names[n]);
      if (nr == -1) continue; /* unknown to this libseccomp: the default action applies, as in runc */
      rc = add_rule(ctx, rule, nr);
      if (rc < 0) {
        snprintf(error, size, "syscalls[%zu]: %s: libseccomp refused the rule (%s)", rule->index, rule->names[n], strerror(-rc));
        return -1;
      }
    }
  }
  return 0;
}

static int export_program(void *ctx, struct hush_hardening *h, char *error, size_t size) {
  int fd = memfd_create("hush-seccomp", MFD_CLOEXEC);
  if (fd < 0) {
    snprintf(error, size, "memfd_create: %s", strerror(errno));
    return -1;
  }
  int rc = lib.export_bpf(ctx, fd);
  off_t length = rc < 0 ? -1 : lseek(fd, 0, SEEK_END);
  if (rc < 0 || length < 0) {
    snprintf(error, size, "libseccomp: exporting the filter failed (%s)", strerror(rc < 0 ? -rc : errno));
  } else if ((size_t)length > sizeof h->filter || length % sizeof h->filter[0] != 0) {
    snprintf(error, size, "the filter has %ld instructions; the kernel takes at most %d", (long)(length / 8), HUSH_FILTER_MAX);
  } else if (pread(fd, h->filter, (size_t)length, 0) != length) {
    snprintf(error, size, "reading the exported filter: %s", strerror(errno));
  } else {
    h->filter_len = (uint32_t)(length / sizeof h->filter[0]);
    close(fd);
    return 0;
  }
  close(fd);
  return -1;
}

int hush_seccomp_compile(const struct hush_seccomp_profile *p, struct hush_hardening *h, char *error, size_t size) {
  if (load_library(error, size) < 0) return -1;
  void *ctx = lib.init(p->default_action);
  if (!ctx) {
    snprintf(error, size, "libseccomp: defaultAction 0x%x refused", p->default_action);
    return -1;
  }
  int rc = build(ctx, p, error, size);
  if (rc == 0) rc = export_program(ctx, h, error, size);
  lib.release(ctx);
  return rc;
}

int hush_seccomp_version(char *out, size_t size, char *error, size_t error_size) {
  if (load_library(error, error_size) < 0) return -1;
  snprintf(out, size, "%u.%u.%u", lib.version()->major, lib.version()->minor, lib.version()->micro);
  return 0;
}
