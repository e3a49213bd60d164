// A JS spec object's C parts (addon-spec.cc), and the builders of its pieces in other files.
#ifndef HUSH_ADDON_SPEC_H
#define HUSH_ADDON_SPEC_H

#include <memory>
#include <string>
#include <vector>

#include "addon.h"
#include "hush.h"

namespace hush_addon {

// spec.userns.root (userns-root.c): what a rootless child mounts itself after GO, from the
// release's spec (its strings live in that release's SpecParts).
struct UsernsRootHolder {
  std::vector<std::string> lower, dirs, files, writes, hosts, targets;
  std::vector<const char*> lower_ptrs, dir_ptrs, file_ptrs, write_ptrs, host_ptrs, target_ptrs;
  std::vector<int> read_only;
  std::string uid_map, gid_map;
  hush_userns_root root{};
};

// spec.cgroupView: [{ dir, fsType, options }] -> hush_cgroup_mount (cgroup-view.c). The strings
// are all read before any pointer is taken, so that none moves afterwards.
struct CgroupView {
  std::vector<std::vector<std::string>> strings;  // per mount: dir, then its options
  std::vector<std::vector<const char*>> options;
  std::vector<hush_cgroup_mount> mounts;
};

// Everything a hush_spec points into, built from a JS spec object: it must outlive the child's
// reads (a vfork child's, until clone returns; a rootless child's, until its release).
struct SpecParts {
  std::vector<std::string> argv;
  std::vector<std::string> envv;
  std::string rootfs;
  std::string hostname;
  std::string workdir;
  std::string secrets_dir;
  std::string path_env;
  std::vector<char*> argv_ptrs;
  std::vector<char*> env_ptrs;
  hush_spec spec{};
  std::unique_ptr<hush_hardening> hardening;
  std::vector<int> volume_fds;
  std::vector<std::string> volume_targets;
  std::vector<const char*> volume_target_ptrs;
  std::string init_path;
  std::vector<std::string> mask_paths;
  std::vector<char*> mask_ptrs;
  std::vector<std::string> tmpfs_strings;
  std::vector<hush_tmpfs_mount> tmpfs;
  std::vector<int> cgroup_join_fds;
  hush_userns userns{};
  std::vector<std::string> userns_strings;
  std::vector<std::string> uid_map;
  std::vector<std::string> gid_map;
  std::vector<const char*> uid_map_ptrs;
  std::vector<const char*> gid_map_ptrs;
  UsernsRootHolder userns_root;
  CgroupView cgroup_view;
};

// open_init: open initPath for the spawn (the caller closes p.spec.init_fd); a release uses the
// descriptor its child already has.
void BuildSpec(Napi::Env env, const Napi::Object& obj, SpecParts& p, bool open_init);
// A failed step of a container's start, as the setup reports it.
Napi::Error SetupError(Napi::Env env, const hush_record& failure);

// addon-hardening.cc
std::unique_ptr<hush_hardening> BuildHardening(Napi::Env env, const Napi::Object& obj);
// addon-spec-mounts.cc
hush_userns_root* ParseUsernsRoot(Napi::Env env, const Napi::Object& r, UsernsRootHolder& h);
void ReadCgroupView(Napi::Env env, const Napi::Object& obj, CgroupView& view);

}  // namespace hush_addon

#endif
