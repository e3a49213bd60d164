{
  "target_defaults": {
    "defines": ["_GNU_SOURCE"],
    "cflags": ["-Wall", "-Wextra", "-Werror", "-fstack-protector-strong", "-O2"],
    "cflags_c": ["-std=gnu11"],
    "cflags_cc": ["-std=c++17"]
  },
  "targets": [
    {
      "target_name": "hush_native",
      "sources": [
        "src/addon.cc", "src/addon-util.cc", "src/addon-hardening.cc", "src/addon-spec.cc", "src/addon-spec-mounts.cc",
        "src/addon-spawn.cc", "src/addon-watch.cc", "src/addon-fs.cc", "src/addon-mounts.cc",
        "src/signals.c",
        "src/spawn.c",
        "src/spawn-child.c",
        "src/cgroup.c",
        "src/cgroup-view.c",
        "src/setup-mounts.c",
        "src/setup-dev.c",
        "src/setup-masks.c",
        "src/mount-fs.c",
        "src/resolve-in-root.c",
        "src/setup-credentials.c",
        "src/exec-app.c",
        "src/error-channel.c",
        "src/capabilities.c", "src/keyring.c", "src/landlock.c", "src/seccomp-build.c", "src/seccomp-load.c", "src/tty.c",
        "src/secrets-fs.c",
        "src/write-files.c",
        "src/notify.c",
        "src/overlay-fs.c",
        "src/layer-nodes.c",
        "src/volumes.c",
        "src/userns.c",
        "src/userns-child.c",
        "src/userns-go.c",
        "src/userns-maps.c",
        "src/userns-auto.c",
        "src/userns-root.c",
        "src/userns-idmap.c"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "libraries": ["-ldl"]
    },
    {
      "target_name": "hush-init",
      "type": "executable",
      "sources": [
        "src/init-main.c",
        "src/init.c",
        "src/signals.c",
        "src/setup-credentials.c",
        "src/exec-app.c",
        "src/error-channel.c",
        "src/capabilities.c", "src/landlock.c", "src/seccomp-load.c", "src/tty.c"
      ],
      "ldflags": ["-static"]
    },
    {
      "target_name": "hush-userns",
      "type": "executable",
      "sources": ["src/userns-exec-main.c"],
      "ldflags": ["-static"]
    }
  ]
}
