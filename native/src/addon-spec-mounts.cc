// The mount parts of a spec: spec.userns.root and spec.cgroupView.
#include "addon-spec.h"

namespace hush_addon {

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

}  // namespace hush_addon
