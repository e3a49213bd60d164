// N-API glue only: argument checks, conversion to the C structs, errors shaped like Node's own
// fs errors ({code, errno, syscall, path}), and pidfd/control-channel watching from libuv.
#include <napi.h>
#include <uv.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hush.h"
#include "hush-seccomp.h"

#include <algorithm>
#include <memory>
#include <sys/ioctl.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace {

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  return name ? name : "E" + std::to_string(err);
}

Napi::Error SyscallError(Napi::Env env, int err, const std::string& syscall, const std::string& path) {
  std::string message = syscall + (path.empty() ? "" : " " + path) + ": " + ErrnoName(err);
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", ErrnoName(err));
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("syscall", syscall);
  if (!path.empty()) error.Set("path", path);
  return error;
}

[[noreturn]] void Usage(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}

std::string StringField(const Napi::Object& obj, const char* key) {
  Napi::Value v = obj.Get(key);
  if (!v.IsString()) Usage(obj.Env(), std::string("spawn: spec.") + key + " must be a string");
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s.find('\0') != std::string::npos) Usage(obj.Env(), std::string("spawn: spec.") + key + " contains NUL");
  return s;
}

int64_t IntField(const Napi::Object& obj, const char* key) {
  Napi::Value v = obj.Get(key);
  if (!v.IsNumber()) Usage(obj.Env(), std::string("spawn: spec.") + key + " must be a number");
  return v.As<Napi::Number>().Int64Value();
}

std::vector<std::string> StringArray(Napi::Env env, Napi::Value v, const char* what) {
  if (!v.IsArray()) Usage(env, std::string(what) + " must be an array of strings");
  Napi::Array arr = v.As<Napi::Array>();
  std::vector<std::string> out;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value item = arr.Get(i);
    if (!item.IsString()) Usage(env, std::string(what) + " must be an array of strings");
    out.push_back(item.As<Napi::String>().Utf8Value());
  }
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// ---- Hardening: spec.capabilities, ambientCapabilities, landlockScopes, tty, seccomp ----

uint64_t CapabilityMask(Napi::Env env, Napi::Value v, const char* what) {
  if (!v.IsArray()) Usage(env, std::string("spawn: spec.") + what + " must be an array of capability numbers");
  Napi::Array arr = v.As<Napi::Array>();
  uint64_t mask = 0;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value item = arr.Get(i);
    int64_t cap = item.IsNumber() ? item.As<Napi::Number>().Int64Value() : -1;
    if (cap < 0 || cap > 63) Usage(env, std::string("spawn: spec.") + what + " must hold numbers 0..63");
    mask |= 1ULL << cap;
  }
  return mask;
}

uint64_t Uint64Field(const Napi::Object& obj, const char* key, const char* what) {
  Napi::Value v = obj.Get(key);
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (d < 0 || d > 9007199254740991.0 || d != static_cast<double>(static_cast<uint64_t>(d)))
    Usage(obj.Env(), std::string("spawn: ") + what + "." + key + " must be a non-negative integer");
  return static_cast<uint64_t>(d);
}

Napi::Error SeccompError(Napi::Env env, const char* message) {
  Napi::Error e = Napi::Error::New(env, std::string("seccomp: ") + message);
  e.Set("code", "HUSH_ERR_RUN_SECCOMP");
  return e;
}

// A profile resolved by launcher/seccomp-profile.ts → the BPF program in h.
void CompileSeccomp(Napi::Env env, const Napi::Object& profile, hush_hardening* h) {
  std::vector<std::string> arches = StringArray(env, profile.Get("architectures"), "spawn: spec.seccomp.architectures");
  Napi::Value syscalls_value = profile.Get("syscalls");
  if (!syscalls_value.IsArray()) Usage(env, "spawn: spec.seccomp.syscalls must be an array");
  Napi::Array syscalls = syscalls_value.As<Napi::Array>();
  std::vector<std::vector<std::string>> names(syscalls.Length());
  std::vector<std::vector<const char*>> name_ptrs(syscalls.Length());
  std::vector<std::vector<hush_seccomp_arg>> args(syscalls.Length());
  std::vector<hush_seccomp_rule> rules(syscalls.Length());
  for (uint32_t i = 0; i < syscalls.Length(); i++) {
    Napi::Value item = syscalls.Get(i);
    if (!item.IsObject()) Usage(env, "spawn: spec.seccomp.syscalls[] must be objects");
    Napi::Object rule = item.As<Napi::Object>();
    names[i] = StringArray(env, rule.Get("names"), "spawn: spec.seccomp.syscalls[].names");
    for (auto& n : names[i]) name_ptrs[i].push_back(n.c_str());
    Napi::Value args_value = rule.Get("args");
    if (!args_value.IsArray()) Usage(env, "spawn: spec.seccomp.syscalls[].args must be an array");
    Napi::Array arg_array = args_value.As<Napi::Array>();
    for (uint32_t j = 0; j < arg_array.Length(); j++) {
      Napi::Value arg_value = arg_array.Get(j);
      if (!arg_value.IsObject()) Usage(env, "spawn: spec.seccomp.syscalls[].args[] must be objects");
      Napi::Object arg = arg_value.As<Napi::Object>();
      uint64_t index = Uint64Field(arg, "index", "spec.seccomp.syscalls[].args[]");
      uint64_t op = Uint64Field(arg, "op", "spec.seccomp.syscalls[].args[]");
      if (index > 5 || op < 1 || op > 7) Usage(env, "spawn: spec.seccomp.syscalls[].args[]: index 0..5, op 1..7");
      args[i].push_back({static_cast<uint32_t>(index), static_cast<uint32_t>(op), Uint64Field(arg, "value", "spec.seccomp.syscalls[].args[]"),
                         Uint64Field(arg, "valueTwo", "spec.seccomp.syscalls[].args[]")});
    }
    rules[i] = {static_cast<size_t>(Uint64Field(rule, "index", "spec.seccomp.syscalls[]")), name_ptrs[i].data(), name_ptrs[i].size(),
                static_cast<uint32_t>(Uint64Field(rule, "action", "spec.seccomp.syscalls[]")), args[i].data(), args[i].size()};
  }
  std::vector<const char*> arch_ptrs;
  for (auto& a : arches) arch_ptrs.push_back(a.c_str());
  hush_seccomp_profile compiled{static_cast<uint32_t>(Uint64Field(profile, "defaultAction", "spec.seccomp")), arch_ptrs.data(),
                                arch_ptrs.size(), rules.data(), rules.size()};
  char error[512] = "";
  if (hush_seccomp_compile(&compiled, h, error, sizeof error) < 0) throw SeccompError(env, error);
}

// compileSeccomp(program) -> Uint8Array: the classic BPF program, 8 bytes an instruction.
Napi::Value CompileSeccompProgram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject()) Usage(env, "compileSeccomp(program)");
  auto h = std::make_unique<hush_hardening>();
  std::memset(h.get(), 0, sizeof *h);
  CompileSeccomp(env, info[0].As<Napi::Object>(), h.get());
  size_t bytes = h->filter_len * sizeof h->filter[0];
  Napi::Uint8Array out = Napi::Uint8Array::New(env, bytes);
  std::memcpy(out.Data(), h->filter, bytes);
  return out;
}

// seccompVersion() -> "2.5.4"; throws where libseccomp.so.2 cannot be loaded.
Napi::Value SeccompVersion(const Napi::CallbackInfo& info) {
  char version[64] = "", error[512] = "";
  if (hush_seccomp_version(version, sizeof version, error, sizeof error) < 0) throw SeccompError(info.Env(), error);
  return Napi::String::New(info.Env(), version);
}

std::unique_ptr<hush_hardening> BuildHardening(Napi::Env env, const Napi::Object& obj) {
  auto h = std::make_unique<hush_hardening>();
  std::memset(h.get(), 0, sizeof *h);
  h->caps_bounding = CapabilityMask(env, obj.Get("capabilities"), "capabilities");
  h->caps_ambient = CapabilityMask(env, obj.Get("ambientCapabilities"), "ambientCapabilities");
  h->landlock_scopes = Uint64Field(obj, "landlockScopes", "spec");
  h->tty = obj.Get("tty").ToBoolean();
  if (h->tty) {
    h->tty_columns = static_cast<uint16_t>(std::min<uint64_t>(Uint64Field(obj, "ttyColumns", "spec"), 65535));
    h->tty_rows = static_cast<uint16_t>(std::min<uint64_t>(Uint64Field(obj, "ttyRows", "spec"), 65535));
  }
  Napi::Value seccomp = obj.Get("seccomp");
  if (seccomp.IsTypedArray() && seccomp.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
    Napi::Uint8Array program = seccomp.As<Napi::Uint8Array>();
    if (program.ByteLength() == 0 || program.ByteLength() % sizeof h->filter[0] != 0 || program.ByteLength() > sizeof h->filter)
      Usage(env, "spawn: spec.seccomp must hold 1 to 4096 BPF instructions");
    std::memcpy(h->filter, program.Data(), program.ByteLength());
    h->filter_len = static_cast<uint32_t>(program.ByteLength() / sizeof h->filter[0]);
  } else if (!seccomp.IsNull()) {
    Usage(env, "spawn: spec.seccomp must be a compiled program (Uint8Array) or null (unconfined)");
  }
  return h;
}

// landlockAbi() -> the kernel's Landlock ABI version, 0 without Landlock.
Napi::Value LandlockAbi(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), hush_landlock_abi());
}

// setWindowSize(fd, columns, rows): TIOCSWINSZ on the pty master.
Napi::Value SetWindowSize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber())
    Usage(env, "setWindowSize(fd, columns, rows)");
  struct winsize size{};
  size.ws_col = static_cast<unsigned short>(info[1].As<Napi::Number>().Uint32Value());
  size.ws_row = static_cast<unsigned short>(info[2].As<Napi::Number>().Uint32Value());
  if (ioctl(info[0].As<Napi::Number>().Int32Value(), TIOCSWINSZ, &size) < 0) throw SyscallError(env, errno, "ioctl", "TIOCSWINSZ");
  return env.Undefined();
}

// spec.userns.root (userns-root.c): what a rootless child mounts itself after GO, from the
// release's spec (its strings live in that release's SpecParts).
struct UsernsRootHolder {
  std::vector<std::string> lower, dirs, files, writes, hosts, targets;
  std::vector<const char*> lower_ptrs, dir_ptrs, file_ptrs, write_ptrs, host_ptrs, target_ptrs;
  std::vector<int> read_only;
  std::string uid_map, gid_map;
  hush_userns_root root{};
};

std::vector<const char*> ConstPointers(const std::vector<std::string>& strings) {
  std::vector<const char*> out;
  for (auto& s : strings) out.push_back(s.c_str());
  out.push_back(nullptr);
  return out;
}

hush_userns_root* ParseUsernsRoot(Napi::Env env, const Napi::Object& r, UsernsRootHolder& h) {
  const char* what = "spawn: spec.userns.root";
  bool image = r.Has("lowerDirs") && !r.Get("lowerDirs").IsUndefined();
  if (image) h.lower = StringArray(env, r.Get("lowerDirs"), "spawn: spec.userns.root.lowerDirs");
  h.dirs = StringArray(env, r.Get("dirs"), "spawn: spec.userns.root.dirs");
  h.files = StringArray(env, r.Get("files"), "spawn: spec.userns.root.files");
  h.writes = StringArray(env, r.Get("writes"), "spawn: spec.userns.root.writes (path, content, ...)");
  if (h.writes.size() % 2) Usage(env, std::string(what) + ".writes must hold path, content pairs");
  if (!r.Get("volumes").IsArray()) Usage(env, std::string(what) + ".volumes must be an array of { host, target, readOnly }");
  Napi::Array volumes = r.Get("volumes").As<Napi::Array>();
  for (uint32_t i = 0; i < volumes.Length(); i++) {
    if (!volumes.Get(i).IsObject()) Usage(env, std::string(what) + ".volumes must be an array of { host, target, readOnly }");
    Napi::Object v = volumes.Get(i).As<Napi::Object>();
    h.hosts.push_back(StringField(v, "host"));
    h.targets.push_back(StringField(v, "target"));
    h.read_only.push_back(v.Get("readOnly").ToBoolean() ? 1 : 0);
  }
  int64_t uid = IntField(r, "appUid"), gid = IntField(r, "appGid");
  h.lower_ptrs = ConstPointers(h.lower);
  h.dir_ptrs = ConstPointers(h.dirs);
  h.file_ptrs = ConstPointers(h.files);
  h.write_ptrs = ConstPointers(h.writes);
  h.host_ptrs = ConstPointers(h.hosts);
  h.target_ptrs = ConstPointers(h.targets);
  h.root.lower_dirs = image ? h.lower_ptrs.data() : nullptr;
  h.root.read_only = r.Get("readOnly").ToBoolean() ? 1 : 0;
  h.root.dirs = h.dir_ptrs.data();
  h.root.files = h.file_ptrs.data();
  h.root.writes = h.write_ptrs.data();
  h.root.volume_hosts = h.host_ptrs.data();
  h.root.volume_targets = h.target_ptrs.data();
  h.root.volume_read_only = h.read_only.data();
  h.root.volume_count = h.hosts.size();
  if (uid != 0 || gid != 0) {
    h.uid_map = "0 " + std::to_string(uid) + " 1\n";
    h.gid_map = "0 " + std::to_string(gid) + " 1\n";
    h.root.secrets_uid_map = h.uid_map.c_str();
    h.root.secrets_gid_map = h.gid_map.c_str();
  }
  return &h.root;
}

// spec.cgroupView: [{ dir, fsType, options }] -> hush_cgroup_mount (cgroup-view.c). The strings
// are all read before any pointer is taken, so that none moves afterwards.
struct CgroupView {
  std::vector<std::vector<std::string>> strings;  // per mount: dir, then its options
  std::vector<std::vector<const char*>> options;
  std::vector<hush_cgroup_mount> mounts;
};

void ReadCgroupView(Napi::Env env, const Napi::Object& obj, CgroupView& view) {
  if (!obj.Has("cgroupView") || obj.Get("cgroupView").IsUndefined()) return;
  const char* usage = "spawn: spec.cgroupView must be an array of { dir, fsType: 'cgroup' | 'cgroup2', options }";
  if (!obj.Get("cgroupView").IsArray()) Usage(env, usage);
  Napi::Array items = obj.Get("cgroupView").As<Napi::Array>();
  std::vector<int> v2;
  for (uint32_t i = 0; i < items.Length(); i++) {
    if (!items.Get(i).IsObject()) Usage(env, usage);
    Napi::Object m = items.Get(i).As<Napi::Object>();
    std::string fs_type = StringField(m, "fsType");
    if (fs_type != "cgroup" && fs_type != "cgroup2") Usage(env, usage);
    std::vector<std::string> strings{StringField(m, "dir")};
    for (auto& option : StringArray(env, m.Get("options"), "spawn: spec.cgroupView[].options")) strings.push_back(option);
    if (strings[0].find('/') != std::string::npos || strings[0] == "." || strings[0] == "..") Usage(env, usage);
    view.strings.push_back(std::move(strings));
    v2.push_back(fs_type == "cgroup2");
  }
  for (size_t i = 0; i < view.strings.size(); i++) {
    std::vector<const char*> pointers;
    for (size_t j = 1; j < view.strings[i].size(); j++) pointers.push_back(view.strings[i][j].c_str());
    pointers.push_back(nullptr);
    view.options.push_back(std::move(pointers));
  }
  for (size_t i = 0; i < view.strings.size(); i++) view.mounts.push_back({view.strings[i][0].c_str(), v2[i], view.options[i].data()});
}

// A failed step of a container's start, as the setup reports it.
Napi::Error SetupError(Napi::Env env, const hush_record& failure) {
  Napi::Error error = SyscallError(env, failure.err, failure.syscall, failure.path);
  error.Set("setup", Napi::Boolean::New(env, true));
  return error;
}

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

// spawn(spec) -> { pid, pidfd, channelFd, ptyFd, ptyWriteFd }: returns once clone has; the
// app's exec is reported later on channelFd (watchChannel), so the event loop never waits for it.
Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject()) Usage(env, "spawn(spec): spec must be an object");
  Napi::Object obj = info[0].As<Napi::Object>();

  SpecParts parts;
  BuildSpec(env, obj, parts, true);
  hush_spec& spec = parts.spec;
  hush_spawn_result result{};
  int rc = hush_spawn(&spec, &result);
  if (spec.init_fd >= 0) close(spec.init_fd);
  if (rc < 0) throw SetupError(env, result.failure);
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", result.pid);
  out.Set("pidfd", result.pidfd);
  out.Set("channelFd", result.channel_fd);
  out.Set("ptyFd", result.pty_fd);
  // A second descriptor for writing: libuv watches one handle per descriptor.
  out.Set("ptyWriteFd", result.pty_fd >= 0 ? fcntl(result.pty_fd, F_DUPFD_CLOEXEC, 3) : -1);
  out.Set("syncFd", result.sync_fd);
  out.Set("secretsFd", result.secrets_fd);
  out.Set("secretsNoswap", Napi::Boolean::New(env, result.secrets_noswap != 0));
  return out;
}

// releaseContainer(syncFd, channelFd, spec) -> { ptyFd, ptyWriteFd }: a rootless child's GO
// (userns.c) with the spec it was spawned with, its env and maskPaths now final; returns once
// the child has exec'd, and closes syncFd.
Napi::Value ReleaseContainer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsObject())
    Usage(env, "releaseContainer(syncFd, channelFd, spec)");
  int sync_fd = info[0].As<Napi::Number>().Int32Value();
  SpecParts parts;
  BuildSpec(env, info[2].As<Napi::Object>(), parts, false);
  hush_record failure{};
  int rc = hush_userns_release(sync_fd, &parts.spec, &failure);
  close(sync_fd);
  if (rc < 0) throw SetupError(env, failure);
  int pty_fd = -1;
  if (parts.spec.hardening->tty) hush_take_pty_record(info[1].As<Napi::Number>().Int32Value(), &pty_fd);
  Napi::Object out = Napi::Object::New(env);
  out.Set("ptyFd", pty_fd);
  out.Set("ptyWriteFd", pty_fd >= 0 ? fcntl(pty_fd, F_DUPFD_CLOEXEC, 3) : -1);
  return out;
}

// rootlessMapped(syncFd): waits for newuidmap/newgidmap, which may still run after spawn; the
// child's tmpfs can be written into only once its maps are.
Napi::Value RootlessMapped(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber()) Usage(env, "rootlessMapped(syncFd)");
  hush_record failure{};
  if (hush_userns_mapped(info[0].As<Napi::Number>().Int32Value(), &failure) < 0) throw SetupError(env, failure);
  return env.Undefined();
}

// abortContainer(syncFd): a rootless child that will not be released exits 125; returns once
// it has, and closes syncFd.
Napi::Value AbortContainer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber()) Usage(env, "abortContainer(syncFd)");
  int sync_fd = info[0].As<Napi::Number>().Int32Value();
  hush_userns_abort(sync_fd);
  close(sync_fd);
  return env.Undefined();
}

// A uv_poll on a descriptor that calls back into JS once per event, until stopped.
struct FdWatch {
  uv_poll_t handle;
  Napi::FunctionReference callback;
  int fd;
};

void CloseWatch(FdWatch* watch) {
  uv_poll_stop(&watch->handle);
  uv_close(reinterpret_cast<uv_handle_t*>(&watch->handle),
           [](uv_handle_t* h) { delete reinterpret_cast<FdWatch*>(h->data); });
}

void OnPidfdReadable(uv_poll_t* handle, int status, int) {
  auto* watch = reinterpret_cast<FdWatch*>(handle->data);
  Napi::Env env = watch->callback.Env();
  Napi::HandleScope scope(env);
  siginfo_t si{};
  long rc = status < 0 ? -1 : syscall(SYS_waitid, P_PIDFD, watch->fd, &si, WEXITED | WNOHANG, nullptr);
  if (rc == 0 && si.si_pid == 0) return;  // spurious wakeup: not exited yet
  Napi::Object result = Napi::Object::New(env);
  if (rc < 0) {
    result.Set("error", ErrnoName(status < 0 ? EIO : errno));
  } else if (si.si_code == CLD_EXITED) {
    result.Set("code", si.si_status);
  } else {
    result.Set("signal", si.si_status);
  }
  Napi::FunctionReference callback = std::move(watch->callback);
  CloseWatch(watch);
  callback.Call({result});
}

// Starts a uv_poll on fd that calls `on_event` until it closes the watch.
FdWatch* StartWatch(const Napi::CallbackInfo& info, const char* usage, int events, uv_poll_cb on_event) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsNumber() || !info[1].IsFunction()) Usage(env, usage);
  auto* watch = new FdWatch();
  watch->fd = info[0].As<Napi::Number>().Int32Value();
  watch->callback = Napi::Persistent(info[1].As<Napi::Function>());
  watch->handle.data = watch;
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  int rc = uv_poll_init(loop, &watch->handle, watch->fd);
  if (rc == 0) rc = uv_poll_start(&watch->handle, events, on_event);
  if (rc != 0) {
    delete watch;
    throw SyscallError(env, -rc, "uv_poll", usage);
  }
  return watch;
}

// onExit(pidfd, cb({code?, signal?, error?})): reaps the process once it exits.
Napi::Value OnExit(const Napi::CallbackInfo& info) {
  StartWatch(info, "onExit(pidfd, callback)", UV_READABLE, OnPidfdReadable);
  return info.Env().Undefined();
}

void OnChannelReadable(uv_poll_t* handle, int status, int events) {
  auto* watch = reinterpret_cast<FdWatch*>(handle->data);
  Napi::Env env = watch->callback.Env();
  Napi::HandleScope scope(env);
  hush_record record{};
  ssize_t n = -1;
  // When the child died without reading the confinement record meant for init (spawn.c), the
  // socket holds an error: libuv reports it as a failed status and stops the poll, and the
  // first recv returns ECONNRESET; what the child sent is still queued behind it. So read even
  // then, and poll again while the channel is open.
  (void)events;
  do n = recv(watch->fd, &record, sizeof record, MSG_DONTWAIT);
  while (n < 0 && (errno == EINTR || errno == ECONNRESET));
  bool stopped = status < 0;
  if (stopped && n != 0) uv_poll_start(&watch->handle, UV_READABLE | UV_DISCONNECT, OnChannelReadable);
  if (n < 0 && errno == EAGAIN) return;
  Napi::Object event = Napi::Object::New(env);
  if (n == static_cast<ssize_t>(sizeof record) && record.type == HUSH_RECORD_READY) {
    event.Set("type", "ready");
  } else if (n == static_cast<ssize_t>(sizeof record) && record.type == HUSH_RECORD_ERROR) {
    Napi::Error error = SyscallError(env, record.err, record.syscall, record.path);
    error.Set("setup", Napi::Boolean::New(env, true));
    event.Set("type", "error");
    event.Set("error", error.Value());
  } else {
    // EOF (or a broken channel): the watch owns the descriptor and closes it with itself.
    event.Set("type", "closed");
    Napi::FunctionReference callback = std::move(watch->callback);
    int fd = watch->fd;
    CloseWatch(watch);
    close(fd);
    callback.Call({event});
    return;
  }
  watch->callback.Call({event});
}

// watchChannel(fd, cb({type: 'ready'|'error'|'closed', error?})): the child's and init's
// records, from the first exec report to the last restart. Closes fd after 'closed'.
Napi::Value WatchChannel(const Napi::CallbackInfo& info) {
  FdWatch* watch = StartWatch(info, "watchChannel(fd, callback)", UV_READABLE | UV_DISCONNECT, OnChannelReadable);
  // The control channel must not keep the process alive by itself: the pidfd watch does.
  uv_unref(reinterpret_cast<uv_handle_t*>(&watch->handle));
  return info.Env().Undefined();
}

// signal(pidfd, signo) -> true, or false when the process has already exited.
Napi::Value Signal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsNumber() || !info[1].IsNumber()) Usage(env, "signal(pidfd, signo)");
  int fd = info[0].As<Napi::Number>().Int32Value();
  int sig = info[1].As<Napi::Number>().Int32Value();
  if (syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0) < 0) {
    if (errno == ESRCH) return Napi::Boolean::New(env, false);
    throw SyscallError(env, errno, "pidfd_send_signal", "");
  }
  return Napi::Boolean::New(env, true);
}

// restart(controlFd, env, stopSignal, timeoutMs): asks init to stop the app and start it again.
Napi::Value Restart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 4 || !info[0].IsNumber() || !info[2].IsNumber() || !info[3].IsNumber())
    Usage(env, "restart(controlFd, env, stopSignal, timeoutMs)");
  std::vector<std::string> envv = StringArray(env, info[1], "restart: env");
  std::string blob;
  for (auto& e : envv) {
    blob += e;
    blob.push_back('\0');
  }
  hush_control_header header{};
  header.type = HUSH_CONTROL_RESTART;
  header.stop_signal = info[2].As<Napi::Number>().Int32Value();
  header.timeout_ms = info[3].As<Napi::Number>().Int32Value();
  header.env_bytes = static_cast<int32_t>(blob.size());
  if (sizeof header + blob.size() > HUSH_CONTROL_MAX) Usage(env, "restart: environment too large");
  std::string message(reinterpret_cast<const char*>(&header), sizeof header);
  message += blob;
  if (send(info[0].As<Napi::Number>().Int32Value(), message.data(), message.size(), MSG_NOSIGNAL) < 0)
    throw SyscallError(env, errno, "send", "control");
  return env.Undefined();
}

// createSecretsFs(sizeBytes, uid, gid) -> { fd, noswap }
Napi::Value CreateSecretsFs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber())
    Usage(env, "createSecretsFs(sizeBytes, uid, gid)");
  int noswap = 0;
  const char* failed_step = "";
  int fd = hush_secrets_fs_create(static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value()),
                                  static_cast<uid_t>(info[1].As<Napi::Number>().Int64Value()),
                                  static_cast<gid_t>(info[2].As<Napi::Number>().Int64Value()), &noswap,
                                  &failed_step);
  if (fd < 0) throw SyscallError(env, errno, failed_step, "tmpfs");
  Napi::Object out = Napi::Object::New(env);
  out.Set("fd", fd);
  out.Set("noswap", Napi::Boolean::New(env, noswap != 0));
  return out;
}

// writeFilesAt(dirfd, [[name, temp, bytes, mode, chmodNeeded]...], uid, gid, fsync) -> (string|null)[]
// One atomic write per entry (write-files.c); the result holds each entry's errno name or null.
Napi::Value WriteFilesAt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 5 || !info[0].IsNumber() || !info[1].IsArray() || !info[2].IsNumber() || !info[3].IsNumber())
    Usage(env, "writeFilesAt(dirfd, files, uid, gid, fsync)");
  int dirfd = info[0].As<Napi::Number>().Int32Value();
  Napi::Array files = info[1].As<Napi::Array>();
  long uid = static_cast<long>(info[2].As<Napi::Number>().Int64Value());
  long gid = static_cast<long>(info[3].As<Napi::Number>().Int64Value());
  int do_fsync = info[4].ToBoolean() ? 1 : 0;
  Napi::Array out = Napi::Array::New(env, files.Length());
  for (uint32_t i = 0; i < files.Length(); i++) {
    Napi::Value item = files.Get(i);
    if (!item.IsArray()) Usage(env, "writeFilesAt: each file is [name, temp, bytes, mode, chmodNeeded]");
    Napi::Array f = item.As<Napi::Array>();
    if (f.Length() != 5 || !f.Get(0u).IsString() || !f.Get(1u).IsString() || !f.Get(2u).IsTypedArray() || !f.Get(3u).IsNumber())
      Usage(env, "writeFilesAt: each file is [name, temp, bytes, mode, chmodNeeded]");
    std::string name = f.Get(0u).As<Napi::String>().Utf8Value();
    std::string temp = f.Get(1u).As<Napi::String>().Utf8Value();
    if (name.empty() || temp.empty() || name.find('/') != std::string::npos || temp.find('/') != std::string::npos ||
        name.find('\0') != std::string::npos || temp.find('\0') != std::string::npos)
      Usage(env, "writeFilesAt: names must be single path components");
    Napi::TypedArray array = f.Get(2u).As<Napi::TypedArray>();
    if (array.TypedArrayType() != napi_uint8_array) Usage(env, "writeFilesAt: bytes must be a Uint8Array");
    Napi::Uint8Array bytes = array.As<Napi::Uint8Array>();
    int err = hush_write_file_at(dirfd, name.c_str(), temp.c_str(), bytes.Data(), bytes.ByteLength(),
                                 f.Get(3u).As<Napi::Number>().Uint32Value(), uid, gid, f.Get(4u).ToBoolean() ? 1 : 0, do_fsync);
    out.Set(i, err ? Napi::Value(Napi::String::New(env, ErrnoName(err))) : env.Null());
  }
  return out;
}

// ---- images: the overlay root and the unpacker's kernel calls (overlay-fs.c, layer-nodes.c) ----

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

std::string ComponentArg(const Napi::CallbackInfo& info, size_t index, const char* usage) {
  if (!info[index].IsString()) Usage(info.Env(), usage);
  std::string name = info[index].As<Napi::String>().Utf8Value();
  if (name.find('/') != std::string::npos || name.find('\0') != std::string::npos) Usage(info.Env(), usage);
  return name;
}

// mknodAt(dirfd, name, mode, major, minor)
Napi::Value MknodAt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "mknodAt(dirfd, name, mode, major, minor): name is one path component";
  if (info.Length() != 5 || !info[0].IsNumber() || !info[2].IsNumber() || !info[3].IsNumber() || !info[4].IsNumber()) Usage(env, usage);
  std::string name = ComponentArg(info, 1, usage);
  if (hush_mknod_at(info[0].As<Napi::Number>().Int32Value(), name.c_str(), info[2].As<Napi::Number>().Uint32Value(),
                    info[3].As<Napi::Number>().Uint32Value(), info[4].As<Napi::Number>().Uint32Value()) < 0)
    throw SyscallError(env, errno, "mknodat", name);
  return env.Undefined();
}

// setXattrAt(dirfd, name ('' for the directory itself), key, value)
Napi::Value SetXattrAt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "setXattrAt(dirfd, name, key, value: Uint8Array): name is one path component or ''";
  if (info.Length() != 4 || !info[0].IsNumber() || !info[2].IsString() || !info[3].IsTypedArray()) Usage(env, usage);
  std::string name = ComponentArg(info, 1, usage);
  std::string key = info[2].As<Napi::String>().Utf8Value();
  Napi::Uint8Array value = info[3].As<Napi::Uint8Array>();
  if (hush_set_xattr_at(info[0].As<Napi::Number>().Int32Value(), name.c_str(), key.c_str(), value.Data(), value.ByteLength()) < 0)
    throw SyscallError(env, errno, "lsetxattr", name + " " + key);
  return env.Undefined();
}

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber()) Usage(env, "closeFd(fd)");
  close(info[0].As<Napi::Number>().Int32Value());
  return env.Undefined();
}

// sendDatagram(path, bytes): sd_notify's transport (notify.c); throws on failure.
Napi::Value SendDatagram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsString() || !info[1].IsTypedArray()) Usage(env, "sendDatagram(path, bytes)");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  if (path.find('\0') != std::string::npos) Usage(env, "sendDatagram: path contains NUL");
  Napi::TypedArray array = info[1].As<Napi::TypedArray>();
  if (array.TypedArrayType() != napi_uint8_array) Usage(env, "sendDatagram: bytes must be a Uint8Array");
  Napi::Uint8Array bytes = array.As<Napi::Uint8Array>();
  int err = hush_send_datagram(path.data(), path.size(), bytes.Data(), bytes.ByteLength());
  if (err) throw SyscallError(env, err, "sendto", path);
  return env.Undefined();
}

// forwardedSignals() -> the signal numbers hush-init forwards to the app (signals.c).
Napi::Value ForwardedSignals(const Napi::CallbackInfo& info) {
  Napi::Array out = Napi::Array::New(info.Env(), hush_forwarded_signal_count);
  for (size_t i = 0; i < hush_forwarded_signal_count; i++) out.Set(static_cast<uint32_t>(i), hush_forwarded_signals[i]);
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("spawn", Napi::Function::New(env, Spawn));
  exports.Set("releaseContainer", Napi::Function::New(env, ReleaseContainer));
  exports.Set("abortContainer", Napi::Function::New(env, AbortContainer));
  exports.Set("rootlessMapped", Napi::Function::New(env, RootlessMapped));
  exports.Set("onExit", Napi::Function::New(env, OnExit));
  exports.Set("watchChannel", Napi::Function::New(env, WatchChannel));
  exports.Set("signal", Napi::Function::New(env, Signal));
  exports.Set("restart", Napi::Function::New(env, Restart));
  exports.Set("createSecretsFs", Napi::Function::New(env, CreateSecretsFs));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
  exports.Set("forwardedSignals", Napi::Function::New(env, ForwardedSignals));
  exports.Set("writeFilesAt", Napi::Function::New(env, WriteFilesAt));
  exports.Set("landlockAbi", Napi::Function::New(env, LandlockAbi));
  exports.Set("compileSeccomp", Napi::Function::New(env, CompileSeccompProgram));
  exports.Set("seccompVersion", Napi::Function::New(env, SeccompVersion));
  exports.Set("setWindowSize", Napi::Function::New(env, SetWindowSize));
  exports.Set("sendDatagram", Napi::Function::New(env, SendDatagram));
  exports.Set("createOverlayFs", Napi::Function::New(env, CreateOverlayFs));
  exports.Set("createIdmapUserns", Napi::Function::New(env, CreateIdmapUserns));
  exports.Set("idmapMount", Napi::Function::New(env, IdmapMount));
  exports.Set("setMountReadOnly", Napi::Function::New(env, SetMountReadOnly));
  exports.Set("openVolume", Napi::Function::New(env, OpenVolume));
  exports.Set("mknodAt", Napi::Function::New(env, MknodAt));
  exports.Set("setXattrAt", Napi::Function::New(env, SetXattrAt));
  return exports;
}

}  // namespace

NODE_API_MODULE(hush_native, Init)
