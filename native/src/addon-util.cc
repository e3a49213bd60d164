// The helpers every part of the glue shares: Node-shaped errors and argument checks.
#include <cstring>

#include "addon.h"

namespace hush_addon {

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

std::vector<const char*> ConstPointers(const std::vector<std::string>& strings) {
  std::vector<const char*> out;
  for (auto& s : strings) out.push_back(s.c_str());
  out.push_back(nullptr);
  return out;
}

}  // namespace hush_addon
