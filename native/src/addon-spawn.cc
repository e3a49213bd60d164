// Starting a container and acting on a running one: spawn, the rootless release, signals,
// restarts, the pty's window size.
#include <cerrno>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "addon-spec.h"

namespace hush_addon {

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

// forwardedSignals() -> the signal numbers hush-init forwards to the app (signals.c).
Napi::Value ForwardedSignals(const Napi::CallbackInfo& info) {
  Napi::Array out = Napi::Array::New(info.Env(), hush_forwarded_signal_count);
  for (size_t i = 0; i < hush_forwarded_signal_count; i++) out.Set(static_cast<uint32_t>(i), hush_forwarded_signals[i]);
  return out;
}

}  // namespace hush_addon
