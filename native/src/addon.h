// N-API glue only: argument checks, conversion to the C structs, errors shaped like Node's own
// fs errors ({code, errno, syscall, path}), and pidfd/control-channel watching from libuv.
// What crosses the addon-*.cc files: the shared helpers and the exported functions.
#ifndef HUSH_ADDON_H
#define HUSH_ADDON_H

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hush_addon {

// addon-util.cc
std::string ErrnoName(int err);
Napi::Error SyscallError(Napi::Env env, int err, const std::string& syscall, const std::string& path);
[[noreturn]] void Usage(Napi::Env env, const std::string& message);
std::string StringField(const Napi::Object& obj, const char* key);
int64_t IntField(const Napi::Object& obj, const char* key);
std::vector<std::string> StringArray(Napi::Env env, Napi::Value v, const char* what);
std::vector<char*> Pointers(std::vector<std::string>& strings);
std::vector<const char*> ConstPointers(const std::vector<std::string>& strings);

// The export table (addon.cc); each is documented where it is defined.
// addon-spawn.cc
Napi::Value Spawn(const Napi::CallbackInfo& info);
Napi::Value ReleaseContainer(const Napi::CallbackInfo& info);
Napi::Value RootlessMapped(const Napi::CallbackInfo& info);
Napi::Value AbortContainer(const Napi::CallbackInfo& info);
Napi::Value Signal(const Napi::CallbackInfo& info);
Napi::Value Restart(const Napi::CallbackInfo& info);
Napi::Value SetWindowSize(const Napi::CallbackInfo& info);
Napi::Value ForwardedSignals(const Napi::CallbackInfo& info);
// addon-watch.cc
Napi::Value OnExit(const Napi::CallbackInfo& info);
Napi::Value WatchChannel(const Napi::CallbackInfo& info);
// addon-hardening.cc
Napi::Value CompileSeccompProgram(const Napi::CallbackInfo& info);
Napi::Value SeccompVersion(const Napi::CallbackInfo& info);
Napi::Value LandlockAbi(const Napi::CallbackInfo& info);
// addon-fs.cc
Napi::Value CreateSecretsFs(const Napi::CallbackInfo& info);
Napi::Value WriteFilesAt(const Napi::CallbackInfo& info);
Napi::Value MknodAt(const Napi::CallbackInfo& info);
Napi::Value SetXattrAt(const Napi::CallbackInfo& info);
Napi::Value CloseFd(const Napi::CallbackInfo& info);
Napi::Value SendDatagram(const Napi::CallbackInfo& info);
// addon-mounts.cc
Napi::Value CreateOverlayFs(const Napi::CallbackInfo& info);
Napi::Value OpenVolume(const Napi::CallbackInfo& info);
Napi::Value CreateIdmapUserns(const Napi::CallbackInfo& info);
Napi::Value IdmapMount(const Napi::CallbackInfo& info);
Napi::Value SetMountReadOnly(const Napi::CallbackInfo& info);

}  // namespace hush_addon

#endif
