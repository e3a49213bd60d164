#!/usr/bin/env bash
# bench/isolation-probes.sh: the same attacks from inside hush, hush --user 1000, crun, bwrap
# and podman (each when installed), printed as a markdown table (docs/security.md has one).
# Every probe is harmless: it opens, connects or asks, and writes nothing anywhere that matters.
# Each launcher runs under a fresh pseudo-terminal that is its controlling terminal, as from a
# user's shell; a key sits in root's user keyring and a host service listens on an abstract
# unix socket while the probes run. Run as root, from the repository (npm run build first).
#
#   bash bench/isolation-probes.sh            (crun: the `crun spec` defaults on the host's /)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "bench/isolation-probes.sh: run as root" >&2; exit 1; }
for tool in python3 keyctl; do
  command -v "$tool" >/dev/null || { echo "bench/isolation-probes.sh: needs $tool" >&2; exit 1; }
done

work=$(mktemp -d /tmp/hush-probes.XXXXXX)
abstract="hush-isolation-probe-$$"
key=$(keyctl add user "hush-isolation-probe-$$" marker @u)
python3 -c "
import socket, time
s = socket.socket(socket.AF_UNIX); s.bind('\0$abstract'); s.listen(); time.sleep(600)" &
listener=$!
cleanup() { kill "$listener" 2>/dev/null || true; keyctl unlink "$key" @u >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

probe=$(cat bench/isolation-probe.py)
hush=(node bin/hush run)
launchers=(hush "hush --user 1000")
declare -A command
command[hush]="${hush[*]} -- python3 -c \"\$PROBE\" $key $abstract"
command["hush --user 1000"]="${hush[*]} --user 1000 -- python3 -c \"\$PROBE\" $key $abstract"

if command -v crun >/dev/null; then
  mkdir -p "$work/crun/root"
  (cd "$work/crun" && crun spec)
  python3 - "$work/crun/config.json" "$key" "$abstract" <<'PY'
import json, sys
file, key, name = sys.argv[1:]
spec = json.load(open(file))
spec['process']['terminal'] = False
spec['process']['args'] = ['python3', '-c', open('bench/isolation-probe.py').read(), key, name]
spec['process']['env'].append('LANG=C.UTF-8')
spec['root'] = {'path': 'root', 'readonly': True}
json.dump(spec, open(file, 'w'))
PY
  # crun 1.8 refuses a hybrid cgroup layout: run it where /sys/fs/cgroup/unified is unmounted,
  # with the host's / bound as the bundle's root, in a private mount namespace.
  launchers+=(crun)
  command[crun]="unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; mount --rbind / $work/crun/root && crun --cgroup-manager=disabled run --bundle $work/crun probe-$$'"
fi
if command -v bwrap >/dev/null; then
  launchers+=(bwrap)
  command[bwrap]="bwrap --unshare-all --die-with-parent --ro-bind / / --proc /proc --dev /dev --tmpfs /tmp -- python3 -c \"\$PROBE\" $key $abstract"
fi
if command -v podman >/dev/null; then
  # The same private mount namespace as crun's; the host's / bound read-only, fresh tmpfs for
  # /tmp, /run and /var/tmp without podman's copy-up (other programs' /tmp files come and go).
  mkdir -p "$work/podman-root"
  tmpfs=""
  for dir in /tmp /run /var/tmp; do tmpfs+=" --tmpfs $dir:rw,notmpcopyup"; done
  launchers+=(podman)
  command[podman]="unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; mount --rbind / $work/podman-root && exec podman run --rm --read-only --read-only-tmpfs=false$tmpfs --network=none --cgroups=disabled --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --rootfs $work/podman-root /usr/bin/python3 -c \"\$PROBE\" $key $abstract'"
fi

declare -A result
rows=()
for launcher in "${launchers[@]}"; do
  report=$(PROBE="$probe" python3 test/fixtures/pty-harness.py 30 100 -- /bin/sh -c "${command[$launcher]}" 2>&1) || true
  while IFS=$'\t' read -r name outcome; do
    [ -n "$outcome" ] || continue
    [[ " ${rows[*]-} " == *" $name "* ]] || rows+=("$name")
    result["$launcher|$name"]=$outcome
  done < <(python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
out = r["output"].replace("\r", "")
if r["queued"] == "" and "**injected**" in out:
    out = out.replace("**injected**", "accepted, nothing queued")
# The terminal echoes an injected character at the start of the next line.
print("\n".join(line.lstrip() for line in out.split("\n")))' <<<"$report" 2>/dev/null || true)
done

header="| probe from inside |"
rule="|---|"
for launcher in "${launchers[@]}"; do header+=" $launcher |"; rule+="---|"; done
echo "$header"
echo "$rule"
for name in "${rows[@]}"; do
  line="| $name |"
  for launcher in "${launchers[@]}"; do line+=" ${result["$launcher|$name"]:-–} |"; done
  echo "$line"
done
echo
echo "kernel $(uname -r); $(crun --version 2>/dev/null | head -1 || true); $(bwrap --version 2>/dev/null || true); $(podman --version 2>/dev/null || echo 'podman not installed'); bold: the attack worked"
