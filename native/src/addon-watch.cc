// pidfd and control-channel watching from libuv: onExit, watchChannel.
#include <uv.h>

#include <cerrno>

#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addon.h"
#include "hush.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace hush_addon {
namespace {

// A uv_poll on a descriptor that calls back into JS once per event, until stopped.
struct FdWatch {
  uv_poll_t handle;
  Napi::FunctionReference callback;
  int fd;
};

// Calls back into JS from libuv, where no JS frame is below us: what the callback throws goes
// to process 'uncaughtException', as for any event-loop callback, instead of out of C++ (where
// it would abort the process). Where Node can no longer run JS (it is exiting), nothing runs.
void CallFromLoop(Napi::Env env, const Napi::FunctionReference& callback, napi_value arg) {
  try {
    callback.Call({arg});
  } catch (const Napi::Error& error) {
    napi_fatal_exception(env, error.Value());
  }
}

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
  CallFromLoop(env, callback, result);
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
    CallFromLoop(env, callback, event);
    return;
  }
  CallFromLoop(env, watch->callback, event);
}

}  // namespace

// onExit(pidfd, cb({code?, signal?, error?})): reaps the process once it exits.
Napi::Value OnExit(const Napi::CallbackInfo& info) {
  StartWatch(info, "onExit(pidfd, callback)", UV_READABLE, OnPidfdReadable);
  return info.Env().Undefined();
}

// watchChannel(fd, cb({type: 'ready'|'error'|'closed', error?})): the child's and init's
// records, from the first exec report to the last restart. Closes fd after 'closed'.
Napi::Value WatchChannel(const Napi::CallbackInfo& info) {
  FdWatch* watch = StartWatch(info, "watchChannel(fd, callback)", UV_READABLE | UV_DISCONNECT, OnChannelReadable);
  // The control channel must not keep the process alive by itself: the pidfd watch does.
  uv_unref(reinterpret_cast<uv_handle_t*>(&watch->handle));
  return info.Env().Undefined();
}

}  // namespace hush_addon
