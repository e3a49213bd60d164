// spec.capabilities, ambientCapabilities, landlockScopes, tty and seccomp -> hush_hardening;
// compileSeccomp, seccompVersion, landlockAbi.
#include <algorithm>
#include <cstring>
#include <memory>

#include "addon-spec.h"
#include "hush-seccomp.h"

namespace hush_addon {
namespace {

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

}  // namespace

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

}  // namespace hush_addon
