#!/usr/bin/env bash
# bench/images.sh: images side by side, in one run (see bench/README.md, section "images"):
#   start:  hush run --image X -- /bin/true (cached)  vs  hush run --rootfs (the same tree)
#           vs  podman run --rm X /bin/true
#   pull:   a ~100 MiB, 4-layer image from a loopback docker-registry: hush pull vs podman pull
#           vs skopeo copy + umoci unpack
# Builds hush when stale, installs podman (only here) and the image tools, makes the images with
# buildah. BENCH_RUNS (default 20) start runs, BENCH_PULLS (default 2) pulls each. Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "bench/images.sh: run as root" >&2; exit 1; }

need=()
for tool in podman buildah skopeo umoci docker-registry busybox-static:busybox; do
  pkg=${tool%%:*}; cmd=${tool##*:}
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
[ -e dist/launcher/cli.js ] && [ -e native/build/Release/hush_native.node ] || npm run build >/dev/null

work=$(mktemp -d /var/tmp/hush-bench-images.XXXXXX)
registry_pid=
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null || true
  podman rmi -f "$registry/bench/small:v1" "$registry/bench/big:v1" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

storage=(--root "$work/c-root" --runroot "$work/c-run" --storage-driver vfs)
mkdir -p "$work/base/bin" "$work/base/etc"
cp "$(command -v busybox)" "$work/base/bin/busybox"
ln -s busybox "$work/base/bin/sh"; ln -s busybox "$work/base/bin/true"
echo 'root:x:0:0:root:/root:/bin/sh' > "$work/base/etc/passwd"
ctr=$(buildah "${storage[@]}" from scratch)
buildah "${storage[@]}" copy "$ctr" "$work/base/" / >/dev/null
buildah "${storage[@]}" commit -q "$ctr" small >/dev/null
for i in 1 2 3 4; do
  mkdir -p "$work/big$i/data"
  head -c 25M /dev/urandom > "$work/big$i/data/blob$i"
  buildah "${storage[@]}" copy "$ctr" "$work/big$i/" / >/dev/null
done
buildah "${storage[@]}" commit -q "$ctr" big >/dev/null
source="containers-storage:[vfs@$work/c-root+$work/c-run]localhost"

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
registry=127.0.0.1:$port
printf 'version: 0.1\nlog: { level: error }\nstorage: { filesystem: { rootdirectory: %s } }\nhttp: { addr: %s }\n' "$work/registry" "$registry" > "$work/registry.yml"
docker-registry serve "$work/registry.yml" >/dev/null 2>&1 &
registry_pid=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
skopeo copy -q --dest-tls-verify=false "$source/small:latest" "docker://$registry/bench/small:v1"
skopeo copy -q --dest-tls-verify=false "$source/big:latest" "docker://$registry/bench/big:v1"
skopeo copy -q "$source/small:latest" "oci:$work/small-layout:v1"
umoci unpack --image "$work/small-layout:v1" "$work/small-bundle" >/dev/null

# As bench/launch.js does for crun: podman's crun refuses the hybrid cgroup layout, so the
# measurements run in a private mount namespace without /sys/fs/cgroup/unified.
BENCH_WORK=$work BENCH_REGISTRY=$registry unshare -m --propagation private \
  sh -c 'if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi; exec node bench/images.js'
