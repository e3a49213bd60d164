# The probes of bench/isolation-probes.sh, run inside each launcher's container. Each tries an
# attack with a harmless payload and prints "name<TAB>outcome". Arguments: the host key's id and
# the host's abstract socket name.
import ctypes, errno, fcntl, os, socket, sys, termios

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
key_id, abstract_name = int(sys.argv[1]), sys.argv[2]
names = ['CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
         'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
         'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
         'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP']

def err(e):
    return errno.errorcode.get(e, str(e))

def attempt(fn):
    try:
        return fn()
    except OSError as e:
        return err(e.errno)

def status(field):
    for line in open('/proc/self/status'):
        if line.startswith(field + ':'):
            return line.split(':', 1)[1].strip()
    return '?'

def capabilities():
    mask = int(status('CapEff'), 16)
    held = [n for i, n in enumerate(names) if mask >> i & 1]
    risky = [n for n in held if n in ('NET_RAW', 'MKNOD', 'AUDIT_WRITE', 'SYS_ADMIN')]
    return f"{bin(mask).count('1')}" + (f" (incl. {', '.join(risky)})" if risky else '')

def syscall_result(nr, *args):
    rc = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    return 'works' if rc >= 0 else err(ctypes.get_errno())

def read_host_key():
    buf = ctypes.create_string_buffer(256)
    rc = libc.syscall(ctypes.c_long(250), ctypes.c_long(11), ctypes.c_long(key_id), buf, ctypes.c_long(256))
    return '**value read**' if rc > 0 else err(ctypes.get_errno())

def tiocsti():
    fcntl.ioctl(0, termios.TIOCSTI, b' ')
    return '**injected**'

def packet():
    socket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()
    return '**opened**'

def mknod():
    for d in ('/dev/shm', '/tmp', '/dev'):
        path = d + '/probe-null'
        try:
            os.mknod(path, 0o20600, os.makedev(1, 3))
            os.unlink(path)
            return '**created**'
        except OSError as e:
            if e.errno not in (errno.EROFS, errno.ENOENT):
                return err(e.errno)
    return 'EROFS'

def abstract():
    s = socket.socket(socket.AF_UNIX)
    s.connect('\0' + abstract_name)
    return '**reachable**'

def proc_sys():
    open('/proc/sys/kernel/core_pattern', 'r+').close()  # opened for writing, nothing written
    return '**writable**'

probes = [
    ('capabilities (effective)', capabilities),
    ('NoNewPrivs', lambda: status('NoNewPrivs')),
    ('seccomp mode', lambda: status('Seccomp')),
    ('host key in root\'s @u', lambda: attempt(read_host_key)),
    ('TIOCSTI into the calling terminal', lambda: attempt(tiocsti)),
    ('AF_PACKET socket', lambda: attempt(packet)),
    ('mknod a device', lambda: attempt(mknod)),
    ('host abstract unix socket', lambda: attempt(abstract)),
    ('keyctl syscall', lambda: syscall_result(250, 0, -3)),
    ('bpf syscall', lambda: syscall_result(321, 999, 0, 0)),
    ('/proc/sys/kernel/core_pattern open for write', lambda: attempt(proc_sys)),
    # Last: on success the probe itself is in a new user namespace.
    ('unshare(CLONE_NEWUSER)', lambda: syscall_result(272, 0x10000000)),
]
for name, probe in probes:
    print(f'{name}\t{probe()}', flush=True)
