# The probes of bench/isolation.js, run inside each launcher's container. Each tries an attack
# with a harmless payload (it opens, connects or asks; a write writes back the value just read;
# a device node gets /dev/null's numbers and is removed) and prints "name<TAB>outcome".
# Outcomes in **bold**: the attack worked. Arguments: the host key's id, the host's abstract
# socket name.
import ctypes, errno, fcntl, os, socket, sys, termios

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
key_id, abstract_name = int(sys.argv[1]), sys.argv[2]
names = ['CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
         'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
         'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
         'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP']

def attempt(fn):
    try:
        return fn()
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))

def status(field):
    for line in open('/proc/self/status'):
        if line.startswith(field + ':'):
            return line.split(':', 1)[1].strip()
    return '?'

def capabilities():
    mask = int(status('CapEff'), 16)
    risky = [n for i, n in enumerate(names) if mask >> i & 1 and n in ('NET_RAW', 'MKNOD', 'AUDIT_WRITE', 'SYS_ADMIN')]
    return f"{bin(mask).count('1')}" + (f" (**{', '.join(risky)}**)" if risky else '')

def syscall_result(nr, *args):
    rc = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    return '**works**' if rc >= 0 else errno.errorcode.get(ctypes.get_errno(), '?')

def read_host_key():
    buf = ctypes.create_string_buffer(256)
    rc = libc.syscall(ctypes.c_long(250), ctypes.c_long(11), ctypes.c_long(key_id), buf, ctypes.c_long(256))
    if rc > 0:
        return '**value read**'
    raise OSError(ctypes.get_errno(), 'keyctl_read')

def tiocsti():
    fcntl.ioctl(0, termios.TIOCSTI, b' ')
    return '**injected**'

def packet():
    socket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()
    return '**opened**'

def abstract():
    s = socket.socket(socket.AF_UNIX)
    s.connect('\0' + abstract_name)
    return '**reachable**'

def core_pattern():
    with open('/proc/sys/kernel/core_pattern', 'r+') as f:
        value = f.read()
        f.seek(0)
        f.write(value)
    return '**written back**'

def mknod_in(directory):
    path = directory + '/.hush-probe-null'
    os.mknod(path, 0o20600, os.makedev(1, 3))
    try:
        os.close(os.open(path, os.O_WRONLY))
        return '**made and opened**'
    except OSError as e:
        return f'made, open: {errno.errorcode.get(e.errno)}'
    finally:
        os.unlink(path)

def readable(path):
    if not os.path.exists(path):
        return 'absent'
    with open(path, 'rb') as f:
        return '**readable**' if f.read(1) else 'empty (masked)'

def listing(path):
    if not os.path.exists(path):
        return 'absent'
    entries = os.listdir(path)
    return f'**{len(entries)} entries**' if entries else 'empty'

def cgroup_dirs(root='/sys/fs/cgroup'):
    # Every cgroup directory under /sys/fs/cgroup, and how many of them are mount roots.
    dirs, roots = [], 0
    for top, subdirs, files in os.walk(root):
        if 'cgroup.procs' in files:
            dirs.append(top)
            roots += os.path.ismount(top)
    return dirs, roots

def cgroups_listed():
    dirs, roots = cgroup_dirs()
    # Cgroups below the mount roots: a tree is shown (the host's, or the launcher's), not one cgroup per hierarchy.
    return f'**{len(dirs)} ({len(dirs) - roots} below the mounts)**' if len(dirs) > roots else f'{len(dirs)} (the mounts only)'

def cgroup_limit_write():
    for top in cgroup_dirs()[0]:
        for name in ('memory.limit_in_bytes', 'memory.max', 'pids.max'):
            path = os.path.join(top, name)
            if os.path.exists(path):
                with open(path, 'r+') as f:
                    value = f.read()
                    f.seek(0)
                    f.write(value)
                return '**written back**'
    return 'no limit file'

def size(path):
    st = os.statvfs(path)
    return f'{st.f_blocks * st.f_frsize // 2**20} MiB'

probes = [
    ('capabilities (effective)', capabilities),
    ('NoNewPrivs', lambda: status('NoNewPrivs')),
    ('seccomp mode', lambda: status('Seccomp')),
    ('host key in root\'s @u', read_host_key),
    ('TIOCSTI into the calling terminal', tiocsti),
    ('AF_PACKET socket', packet),
    ('host abstract unix socket', abstract),
    ('keyctl syscall', lambda: syscall_result(250, 0, -3)),
    ('bpf syscall', lambda: syscall_result(321, 999, 0, 0)),
    ('write /proc/sys/kernel/core_pattern', core_pattern),
    ('/proc/keys', lambda: readable('/proc/keys')),
    ('/proc/timer_list', lambda: readable('/proc/timer_list')),
    ('/proc/acpi', lambda: listing('/proc/acpi')),
    ('/sys/firmware', lambda: listing('/sys/firmware')),
    ('/sys/fs/cgroup (entries)', lambda: str(len(os.listdir('/sys/fs/cgroup')))),
    ('cgroups listed in /sys/fs/cgroup', cgroups_listed),
    ('write back a cgroup limit', cgroup_limit_write),
    ('mknod in /dev', lambda: mknod_in('/dev')),
    ('mknod in /tmp', lambda: mknod_in('/tmp')),
    ('/proc/1/environ', lambda: readable('/proc/1/environ')),
    ('/etc/shadow', lambda: readable('/etc/shadow')),
    ('/root', lambda: listing('/root')),
    ('/tmp size', lambda: size('/tmp')),
    ('/dev/shm size', lambda: size('/dev/shm')),
    # Last: on success the probe itself is in a new user namespace.
    ('unshare(CLONE_NEWUSER)', lambda: syscall_result(272, 0x10000000)),
]
for name, probe in probes:
    print(f'{name}\t{attempt(probe)}', flush=True)
