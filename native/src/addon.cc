// The module's export table. Each function is defined next to its JS signature in the
// addon-*.cc file of its concern; addon.h declares them.
#include "addon.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace hush_addon;
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
