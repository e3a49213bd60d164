// A JS spec object -> the hush_spec the C side spawns (spawn.c, userns.c).
#include <cerrno>
#include <cstdio>

#include <fcntl.h>

#include "addon-spec.h"

namespace hush_addon {

Napi::Error SetupError(Napi::Env env, const hush_record& failure) {
  Napi::Error error = SyscallError(env, failure.err, failure.syscall, failure.path);
  error.Set("setup", Napi::Boolean::New(env, true));
  return error;
}

void BuildSpec(Napi::Env env, const Napi::Object& obj, SpecParts& p, bool open_init) {
  p.argv = StringArray(env, obj.Get("argv"), "spawn: spec.argv");
  if (p.argv.empty()) Usage(env, "spawn: spec.argv must not be empty");
  p.envv = StringArray(env, obj.Get("env"), "spawn: spec.env");
  p.rootfs = StringField(obj, "rootfs");
  p.hostname = StringField(obj, "hostname");
  p.workdir = StringField(obj, "workdir");
  p.secrets_dir = StringField(obj, "secretsDir");
  for (auto& e : p.envv)
    if (e.rfind("PATH=", 0) == 0) p.path_env = e.substr(5);

  p.argv_ptrs = Pointers(p.argv);
  p.env_ptrs = Pointers(p.envv);

  p.spec.rootfs = p.rootfs.c_str();
  p.spec.host_root = obj.Get("hostRoot").ToBoolean();
  p.spec.argv = p.argv_ptrs.data();
  p.spec.envp = p.env_ptrs.data();
  p.spec.path_env = p.path_env.empty() ? nullptr : p.path_env.c_str();
  p.spec.hostname = p.hostname.c_str();
  p.spec.workdir = p.workdir.c_str();
  p.spec.secrets_dir = p.secrets_dir.c_str();
  p.spec.secrets_fd = static_cast<int>(IntField(obj, "secretsFd"));
  p.spec.uid = static_cast<uid_t>(IntField(obj, "uid"));
  p.spec.gid = static_cast<gid_t>(IntField(obj, "gid"));
  p.spec.net_none = obj.Get("netNone").ToBoolean();
  p.spec.use_init = obj.Get("init").ToBoolean();
  p.hardening = BuildHardening(env, obj);
  p.spec.hardening = p.hardening.get();

  p.spec.init_fd = -1;
  p.spec.rootfs_fd = obj.Has("rootfsFd") && !obj.Get("rootfsFd").IsUndefined() ? static_cast<int>(IntField(obj, "rootfsFd")) : -1;
  p.spec.seal_rootfs_fd = obj.Get("sealRootfsFd").ToBoolean();
  if (obj.Has("volumes") && !obj.Get("volumes").IsUndefined()) {
    if (!obj.Get("volumes").IsArray()) Usage(env, "spawn: spec.volumes must be an array of { fd, target }");
    Napi::Array volumes = obj.Get("volumes").As<Napi::Array>();
    for (uint32_t i = 0; i < volumes.Length(); i++) {
      if (!volumes.Get(i).IsObject()) Usage(env, "spawn: spec.volumes must be an array of { fd, target }");
      Napi::Object volume = volumes.Get(i).As<Napi::Object>();
      p.volume_fds.push_back(static_cast<int>(IntField(volume, "fd")));
      p.volume_targets.push_back(StringField(volume, "target"));
    }
  }
  for (auto& t : p.volume_targets) p.volume_target_ptrs.push_back(t.c_str());
  p.spec.volume_fds = p.volume_fds.data();
  p.spec.volume_targets = p.volume_target_ptrs.data();
  p.spec.volume_count = p.volume_fds.size();
  if (p.spec.use_init && open_init) {
    p.init_path = StringField(obj, "initPath");
    p.spec.init_fd = open(p.init_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (p.spec.init_fd < 0) throw SyscallError(env, errno, "open", p.init_path);
  }

  // Hardening (issue 9): sized tmpfs mounts and masks; every string formatted before clone.
  p.mask_paths = StringArray(env, obj.Get("maskPaths"), "spawn: spec.maskPaths");
  p.mask_ptrs = Pointers(p.mask_paths);
  p.spec.mask_paths = p.mask_ptrs.data();
  Napi::Value tmpfs_value = obj.Get("tmpfs");
  if (!tmpfs_value.IsArray()) Usage(env, "spawn: spec.tmpfs must be an array of {path, sizeBytes, mode, noexec}");
  Napi::Array tmpfs_array = tmpfs_value.As<Napi::Array>();
  p.tmpfs_strings.reserve(tmpfs_array.Length() * 3);
  p.tmpfs.resize(tmpfs_array.Length());
  for (uint32_t i = 0; i < tmpfs_array.Length(); i++) {
    Napi::Value item = tmpfs_array.Get(i);
    if (!item.IsObject()) Usage(env, "spawn: spec.tmpfs must be an array of {path, sizeBytes, mode, noexec}");
    Napi::Object m = item.As<Napi::Object>();
    p.tmpfs_strings.push_back(StringField(m, "path"));
    p.tmpfs_strings.push_back(std::to_string(IntField(m, "sizeBytes")));
    char mode[16];
    snprintf(mode, sizeof mode, "%o", static_cast<unsigned>(IntField(m, "mode")) & 07777);
    p.tmpfs_strings.push_back(mode);
    p.tmpfs[i].noexec = m.Get("noexec").ToBoolean();
  }
  for (size_t i = 0; i < p.tmpfs.size(); i++) {
    p.tmpfs[i].path = p.tmpfs_strings[3 * i].c_str();
    p.tmpfs[i].size = p.tmpfs_strings[3 * i + 1].c_str();
    p.tmpfs[i].mode = p.tmpfs_strings[3 * i + 2].c_str();
  }
  p.spec.tmpfs = p.tmpfs.data();
  p.spec.tmpfs_count = p.tmpfs.size();
  p.spec.cgroup_fd = obj.Has("cgroupFd") ? static_cast<int>(IntField(obj, "cgroupFd")) : -1;
  if (obj.Has("cgroupJoinFds")) {
    Napi::Value fds = obj.Get("cgroupJoinFds");
    if (!fds.IsArray()) Usage(env, "spawn: spec.cgroupJoinFds must be an array of descriptors");
    for (uint32_t i = 0; i < fds.As<Napi::Array>().Length(); i++) {
      Napi::Value fd = fds.As<Napi::Array>().Get(i);
      if (!fd.IsNumber()) Usage(env, "spawn: spec.cgroupJoinFds must be an array of descriptors");
      p.cgroup_join_fds.push_back(fd.As<Napi::Number>().Int32Value());
    }
  }
  p.spec.cgroup_join_fds = p.cgroup_join_fds.data();
  p.spec.cgroup_join_count = static_cast<int>(p.cgroup_join_fds.size());
  ReadCgroupView(env, obj, p.cgroup_view);
  p.spec.cgroup_view = p.cgroup_view.mounts.data();
  p.spec.cgroup_view_count = p.cgroup_view.mounts.size();

  // Rootless (userns.c): { uidMap, gidMap (flat triples), newuidmap?, newgidmap?, secretsSizeBytes, denySetgroups, root? }
  if (obj.Has("userns") && obj.Get("userns").IsObject()) {
    Napi::Object u = obj.Get("userns").As<Napi::Object>();
    p.uid_map = StringArray(env, u.Get("uidMap"), "spawn: spec.userns.uidMap");
    p.gid_map = StringArray(env, u.Get("gidMap"), "spawn: spec.userns.gidMap");
    if (p.uid_map.empty() || p.uid_map.size() % 3 || p.gid_map.empty() || p.gid_map.size() % 3 || p.uid_map.size() > 30 || p.gid_map.size() > 30)
      Usage(env, "spawn: spec.userns maps must be 1 to 10 triples");
    for (auto& item : p.uid_map) p.uid_map_ptrs.push_back(item.c_str());
    for (auto& item : p.gid_map) p.gid_map_ptrs.push_back(item.c_str());
    p.uid_map_ptrs.push_back(nullptr);
    p.gid_map_ptrs.push_back(nullptr);
    p.userns_strings = {u.Get("newuidmap").IsString() ? StringField(u, "newuidmap") : "",
                      u.Get("newgidmap").IsString() ? StringField(u, "newgidmap") : "",
                      std::to_string(IntField(u, "secretsSizeBytes"))};
    p.userns.uid_map = p.uid_map_ptrs.data();
    p.userns.gid_map = p.gid_map_ptrs.data();
    p.userns.newuidmap = p.userns_strings[0].empty() ? nullptr : p.userns_strings[0].c_str();
    p.userns.newgidmap = p.userns_strings[1].empty() ? nullptr : p.userns_strings[1].c_str();
    p.userns.secrets_size = p.userns_strings[2].c_str();
    p.userns.deny_setgroups = u.Get("denySetgroups").ToBoolean();
    if (u.Has("root") && u.Get("root").IsObject()) p.userns.root = ParseUsernsRoot(env, u.Get("root").As<Napi::Object>(), p.userns_root);
    p.spec.userns = &p.userns;
  }
}

}  // namespace hush_addon
