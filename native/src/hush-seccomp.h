/* A seccomp profile as the launcher resolved it (launcher/seccomp-profile.ts): libseccomp's
 * action values, argument operators and architecture names. Parent-side only. */
#ifndef HUSH_SECCOMP_H
#define HUSH_SECCOMP_H

#include "hush.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hush_seccomp_arg {
  uint32_t index;
  uint32_t op;  /* SCMP_CMP_*: 1 NE, 2 LT, 3 LE, 4 EQ, 5 GE, 6 GT, 7 MASKED_EQ */
  uint64_t value;
  uint64_t value_two;
};

struct hush_seccomp_rule {
  size_t index;  /* position in the profile's syscalls[], for messages */
  const char *const *names;
  size_t name_count;
  uint32_t action;
  const struct hush_seccomp_arg *args;
  size_t arg_count;
};

struct hush_seccomp_profile {
  uint32_t default_action;
  const char *const *arches;  /* libseccomp names: "x86_64", "x86", "x32" ... */
  size_t arch_count;
  const struct hush_seccomp_rule *rules;
  size_t rule_count;
};

/* Fills h->filter and h->filter_len. 0, or -1 with a one-line message in error. */
int hush_seccomp_compile(const struct hush_seccomp_profile *p, struct hush_hardening *h, char *error, size_t size);

/* "2.5.4": loads libseccomp, so it fails (with a message) where the library is missing. */
int hush_seccomp_version(char *out, size_t size, char *error, size_t error_size);

#ifdef __cplusplus
}
#endif
#endif
