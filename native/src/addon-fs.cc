// Files and descriptors: the secrets tmpfs and atomic writes into it (secrets-fs.c,
// write-files.c), the image unpacker's device nodes and xattrs (layer-nodes.c), closeFd, and
// sd_notify's datagram (notify.c).
#include <cerrno>
#include <string>

#include <unistd.h>

#include "addon.h"
#include "hush.h"

namespace hush_addon {

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

namespace {

std::string ComponentArg(const Napi::CallbackInfo& info, size_t index, const char* usage) {
  if (!info[index].IsString()) Usage(info.Env(), usage);
  std::string name = info[index].As<Napi::String>().Utf8Value();
  if (name.find('/') != std::string::npos || name.find('\0') != std::string::npos) Usage(info.Env(), usage);
  return name;
}

}  // namespace

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

}  // namespace hush_addon
