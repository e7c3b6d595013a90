#!/usr/bin/python3
"""Helper processes for the kernel harness (test/kernel/harness.ts). Runs inside a network namespace
(`ip netns exec NS python3 nfk_helper.py MODE ...`); never started in the root netns.

  serve   tcp|udp BIND PORT LABEL
      echo server (like the oracle's bin/oracle-echo.py): replies "LABEL local=ip:port peer=ip:port" to
      every connection / datagram, so the client learns which source address the server saw (SNAT).
  proxy   tcp|udp HOSTIP HOSTPORT CTRIP CTRPORT
      docker-proxy emulation: listens on HOSTIP:HOSTPORT and, per client, opens a NEW connection to
      CTRIP:CTRPORT *without binding a source address*, exactly like docker-proxy 20.10
      (net.DialTCP("tcp", nil, backend) / net.DialUDP("udp", nil, backend)): the kernel's routing picks the
      source, e.g. 172.17.0.1 (the bridge IP) for a container on docker0.
  connect tcp|udp DST PORT TIMEOUT [SRCIP]
      one-shot client: prints "OK <reply>" or "FAIL <error>" (exit 0/1).
  agent   MARKPORT
      long-lived helper in the traced netns: binds a UDP sink on 127.0.0.1:MARKPORT and, for every line
      "mark" on stdin, sends one datagram to that sink and answers "marked". The harness uses these packets
      as start/end fences in the xtables-monitor stream (see harness.ts: waitForMarker).
Every server prints "READY" on stdout once its socket is bound (the harness waits for it instead of sleeping).
"""
import socket, sys, threading


def fam(addr):
    """IPv6 when the address has a colon ("::" binds dual-stack), IPv4 otherwise."""
    return socket.AF_INET6 if addr and ':' in addr else socket.AF_INET


def ready():
    sys.stdout.write("READY\n")
    sys.stdout.flush()


def serve(proto, bind, port, label):
    if proto == 'tcp':
        s = socket.socket(fam(bind), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((bind, port)); s.listen(64)
        ready()

        def handle(c, a):
            try:
                l = c.getsockname()
                c.settimeout(2)
                try:
                    c.recv(100)
                except Exception:
                    pass
                c.sendall(f"{label} local={l[0]}:{l[1]} peer={a[0]}:{a[1]}\n".encode())
            except Exception:
                pass
            finally:
                c.close()
        while True:
            c, a = s.accept()
            threading.Thread(target=handle, args=(c, a), daemon=True).start()
    else:
        s = socket.socket(fam(bind), socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((bind, port))
        ready()
        while True:
            d, a = s.recvfrom(2048)
            s.sendto(f"{label} local={bind}:{port} peer={a[0]}:{a[1]}\n".encode(), a)


def _pipe(src, dst):
    try:
        while True:
            b = src.recv(65536)
            if not b:
                break
            dst.sendall(b)
    except Exception:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except Exception:
        pass


def proxy(proto, hip, hport, cip, cport):
    if proto == 'tcp':
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((hip, hport)); s.listen(64)
        ready()

        def handle(c):
            try:
                b = socket.create_connection((cip, cport), timeout=5)  # no source bind: kernel routing chooses
                b.settimeout(None)
            except Exception:
                c.close(); return
            t = threading.Thread(target=_pipe, args=(b, c), daemon=True); t.start()
            _pipe(c, b)
            t.join(10)
            c.close(); b.close()
        while True:
            c, _ = s.accept()
            threading.Thread(target=handle, args=(c,), daemon=True).start()
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((hip, hport))
        ready()
        conns = {}

        def back(b, a):
            try:
                while True:
                    d = b.recv(65536)
                    s.sendto(d, a)
            except Exception:
                pass
        while True:
            d, a = s.recvfrom(65536)
            b = conns.get(a)
            if b is None:
                b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                b.connect((cip, cport))
                conns[a] = b
                threading.Thread(target=back, args=(b, a), daemon=True).start()
            b.send(d)


def ping(dst, timeout, src=None):
    """One ICMP/ICMPv6 echo request on a raw socket (the kernel fills in the ICMPv6 checksum)."""
    import struct, time
    v6 = ':' in dst
    s = socket.socket(fam(dst), socket.SOCK_RAW, socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
    if src:
        s.bind((src, 0))
    s.settimeout(timeout)
    ident, payload = 0x4e46, b"nfplay-ping-" + b"x" * 44
    hdr = struct.pack("!BBHHH", 128 if v6 else 8, 0, 0, ident, 1)
    if not v6:
        data = hdr + payload
        t = sum((data[i] << 8) + (data[i + 1] if i + 1 < len(data) else 0) for i in range(0, len(data), 2))
        while t >> 16:
            t = (t & 0xffff) + (t >> 16)
        hdr = struct.pack("!BBHHH", 8, 0, ~t & 0xffff, ident, 1)
    s.sendto(hdr + payload, (dst, 0))
    end = time.time() + timeout
    while time.time() < end:
        d, a = s.recvfrom(2048)
        icmp = d if v6 else d[(d[0] & 0xf) * 4:]
        if icmp[0] == (129 if v6 else 0) and struct.unpack("!H", icmp[4:6])[0] == ident:
            print(f"OK echo-reply peer={a[0]}:0"); return 0
        if v6 and icmp[0] in (1, 2, 3, 4) or not v6 and icmp[0] in (3, 11):
            print(f"FAIL icmp error type {icmp[0]} code {icmp[1]} from {a[0]}"); return 1
    print("FAIL timeout"); return 1


def connect(proto, dst, port, timeout, src=None):
    try:
        if proto == 'icmp':
            return ping(dst, timeout, src)
        if proto == 'tcp':
            s = socket.socket(fam(dst), socket.SOCK_STREAM)
            if src:
                s.bind((src, 0))
            s.settimeout(timeout)
            s.connect((dst, port))
            s.sendall(b"ping\n")
            data = b""
            while True:
                b = s.recv(1000)
                if not b:
                    break
                data += b
            s.close()
        else:
            s = socket.socket(fam(dst), socket.SOCK_DGRAM)
            if src:
                s.bind((src, 0))
            s.settimeout(timeout)
            s.sendto(b"ping\n", (dst, port))
            data, _ = s.recvfrom(2048)
        if not data:
            print("FAIL empty reply (connection closed without data)"); return 1
        print("OK " + data.decode().strip()); return 0
    except Exception as e:
        print(f"FAIL {type(e).__name__}: {e}"); return 1


def agent(markport):
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(('127.0.0.1', markport))  # bound, so the marker never triggers an ICMP port unreachable
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ready()
    for line in sys.stdin:
        if line.strip() == 'mark':
            tx.sendto(b"nfk-marker", ('127.0.0.1', markport))
            try:
                sink.settimeout(0.5); sink.recv(100)
            except Exception:
                pass
            sys.stdout.write("marked\n"); sys.stdout.flush()


if __name__ == '__main__':
    m = sys.argv[1]
    if m == 'serve':
        serve(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    elif m == 'proxy':
        proxy(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6]))
    elif m == 'connect':
        sys.exit(connect(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]),
                         sys.argv[6] if len(sys.argv) > 6 and sys.argv[6] else None))
    elif m == 'agent':
        agent(int(sys.argv[2]))
    else:
        sys.exit(f"unknown mode {m}")
