// N-API glue for the app's confinement (capabilities, seccomp, Landlock, the pty): the
// conversion of a spawn spec's confinement fields, and the functions the launcher calls.
#ifndef HUSH_ADDON_CONFINEMENT_H
#define HUSH_ADDON_CONFINEMENT_H

#include <napi.h>

#include <memory>

#include "hush.h"

namespace hush_addon {

// spec.capabilities, ambientCapabilities, landlockScopes, tty, ttyColumns, ttyRows, seccomp.
std::unique_ptr<hush_hardening> BuildHardening(Napi::Env env, const Napi::Object& spec);
// compileSeccomp, seccompVersion, landlockAbi, setWindowSize.
void ExportConfinement(Napi::Env env, Napi::Object exports);

}  // namespace hush_addon

#endif
