// Detached mounts: the image's overlay root, volumes, idmapped mounts (overlay-fs.c,
// volumes.c, userns-auto.c, userns-idmap.c).
#include <cerrno>
#include <string>
#include <vector>

#include "addon.h"
#include "hush.h"

namespace hush_addon {

// createOverlayFs(lowerDirs topmost first, upperSizeBytes) -> fd of a detached overlay mount
Napi::Value CreateOverlayFs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[1].IsNumber()) Usage(env, "createOverlayFs(lowerDirs, upperSizeBytes)");
  std::vector<std::string> dirs = StringArray(env, info[0], "createOverlayFs: lowerDirs");
  if (dirs.empty()) Usage(env, "createOverlayFs: lowerDirs must not be empty");
  std::vector<const char*> ptrs;
  for (auto& d : dirs) {
    if (d.empty() || d.find('\0') != std::string::npos) Usage(env, "createOverlayFs: a lower dir is empty or contains NUL");
    ptrs.push_back(d.c_str());
  }
  const char* failed_step = "";
  int fd = hush_overlay_fs_create(ptrs.data(), ptrs.size(), static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value()), &failed_step);
  if (fd < 0) throw SyscallError(env, errno, failed_step, "overlay");
  return Napi::Number::New(env, fd);
}

// openVolume(hostPath, readOnly) -> fd of a detached clone of hostPath (volumes.c)
Napi::Value OpenVolume(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsString()) Usage(env, "openVolume(hostPath, readOnly)");
  std::string host = info[0].As<Napi::String>().Utf8Value();
  if (host.empty() || host.find('\0') != std::string::npos) Usage(env, "openVolume: hostPath is empty or contains NUL");
  int fd = hush_volume_open(host.c_str(), info[1].ToBoolean() ? 1 : 0);
  if (fd < 0) throw SyscallError(env, errno, "open_tree", host);
  return Napi::Number::New(env, fd);
}

// createIdmapUserns(uidMap, gidMap) -> fd of a user namespace with those maps (userns-auto.c)
Napi::Value CreateIdmapUserns(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2) Usage(env, "createIdmapUserns(uidMap, gidMap)");
  std::vector<std::string> uid_map = StringArray(env, info[0], "createIdmapUserns: uidMap");
  std::vector<std::string> gid_map = StringArray(env, info[1], "createIdmapUserns: gidMap");
  if (uid_map.empty() || uid_map.size() % 3 || gid_map.empty() || gid_map.size() % 3 || uid_map.size() > 30 || gid_map.size() > 30)
    Usage(env, "createIdmapUserns: maps must be 1 to 10 triples");
  std::vector<const char*> uid_ptrs, gid_ptrs;
  for (auto& item : uid_map) uid_ptrs.push_back(item.c_str());
  for (auto& item : gid_map) gid_ptrs.push_back(item.c_str());
  uid_ptrs.push_back(nullptr);
  gid_ptrs.push_back(nullptr);
  const char* failed_step = "";
  int fd = hush_idmap_userns_create(uid_ptrs.data(), gid_ptrs.data(), &failed_step);
  if (fd < 0) throw SyscallError(env, errno, failed_step, "user namespace for idmapped mounts");
  return Napi::Number::New(env, fd);
}

// idmapMount(mountFd, usernsFd, what): MOUNT_ATTR_IDMAP on a detached mount, recursively
Napi::Value IdmapMount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsString()) Usage(env, "idmapMount(mountFd, usernsFd, what)");
  if (hush_idmap_mount(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value()) < 0)
    throw SyscallError(env, errno, "idmap", info[2].As<Napi::String>().Utf8Value());
  return env.Undefined();
}

Napi::Value SetMountReadOnly(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber()) Usage(env, "setMountReadOnly(fd)");
  if (hush_mount_set_readonly(info[0].As<Napi::Number>().Int32Value()) < 0) throw SyscallError(env, errno, "mount_setattr", "overlay");
  return env.Undefined();
}

}  // namespace hush_addon
