# bench/isolation-probe.sh: what an app sees from inside a container, one "probe: result" line
# each, on stderr. Run by bench/isolation.js inside hush, crun and bwrap. Every write is
# harmless: it writes back the value just read, or creates a node of /dev/null's numbers.
exec 1>&2
say() { printf '%s: %s\n' "$1" "$2"; }
field() { sed -n "s/^$1:[[:space:]]*//p" /proc/self/status; }

say capabilities "$(field CapEff)"
say NoNewPrivs "$(field NoNewPrivs)"
say seccomp "$(field Seccomp)"
v=$(cat /proc/sys/kernel/core_pattern 2>/dev/null)
if (printf '%s\n' "$v" > /proc/sys/kernel/core_pattern) 2>/dev/null; then say /proc/sys 'WRITABLE (core_pattern written back)'; else say /proc/sys read-only; fi
for f in /proc/keys /proc/timer_list; do
  if [ ! -e $f ]; then say $f absent; elif [ -s $f ] || [ "$(head -c1 $f 2>/dev/null | wc -c)" -gt 0 ]; then say $f READABLE; else say $f masked; fi
done
for d in /proc/acpi /sys/firmware /sys/fs/cgroup; do
  if [ ! -e $d ]; then say $d absent; elif [ -z "$(ls -A $d 2>/dev/null)" ]; then say $d empty; else say $d "VISIBLE ($(ls -A $d | wc -l) entries)"; fi
done
for dir in /dev /tmp; do
  if mknod $dir/.probe-null c 1 3 2>/dev/null; then
    if (echo x > $dir/.probe-null) 2>/dev/null; then say "mknod in $dir" 'OPENED'; else say "mknod in $dir" 'made, cannot open (nodev)'; fi
    rm -f $dir/.probe-null
  else say "mknod in $dir" refused; fi
done
if head -c1 /proc/1/environ >/dev/null 2>&1; then say '/proc/1/environ' READABLE; else say '/proc/1/environ' refused; fi
if [ -s /etc/shadow ] && head -c1 /etc/shadow >/dev/null 2>&1; then say /etc/shadow READABLE; else say /etc/shadow 'hidden or refused'; fi
if [ -n "$(ls -A /root 2>/dev/null)" ]; then say /root VISIBLE; else say /root 'empty or refused'; fi
for m in /tmp /dev/shm; do
  say "$m size" "$(df -k $m 2>/dev/null | awk 'NR==2 { printf "%d MiB", $2 / 1024 }')"
done
