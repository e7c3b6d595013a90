#!/bin/bash
# Two-node Docker 20.10 swarm in private network namespaces (helper script; run as root).
#   capture-swarm.sh OUTDIR
# Namespaces (prefix $NFPLAY_CAPTURE_NS, default nff): <P>-lan (bridge lan0, 203.0.113.1/24, and the
# "internet" client 198.51.100.7 on lo), <P>-n1 (eth0 203.0.113.10/24), <P>-n2 (eth0 203.0.113.11/24).
# dockerd runs only inside <P>-n1 / <P>-n2 with data/exec roots under $NFPLAY_CAPTURE_WORK (default /tmp/nff).
set -u
OUT=$(realpath -m "$1"); mkdir -p "$OUT"
P=${NFPLAY_CAPTURE_NS:-nff}; WB=${NFPLAY_CAPTURE_WORK:-/tmp/nff}
DOCKER=/usr/local/bin/docker; [ -x $DOCKER ] || DOCKER=/usr/bin/docker
L=$P-lan
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^[^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
cleanup() {
  for n in 1 2; do
    local W=$WB/n$n
    if [ -f "$W/d.pid" ] && alive "$(cat "$W/d.pid")"; then
      local p; p=$(cat "$W/d.pid"); kill -TERM "$p"
      for _ in $(seq 1 80); do alive "$p" || break; sleep 0.25; done
      alive "$p" && kill -KILL "$p"
    fi
  done
  for p in /proc/[0-9]*; do p=${p#/proc/}
    tr "\0" " " 2>/dev/null < "/proc/$p/cmdline" | grep -qF -- "$WB/" && kill -KILL "$p" 2>/dev/null; done
  ip netns del $P-n1 2>/dev/null; ip netns del $P-n2 2>/dev/null; ip netns del $L 2>/dev/null
  sleep 0.5
  for n in 1 2; do umount -R "$WB/n$n/er" 2>/dev/null; umount -lR "$WB/n$n" 2>/dev/null; done
  rm -rf "$WB"
}
[ "${2:-}" = cleanup ] && { cleanup; exit 0; }
cleanup; mkdir -p "$WB"
ip netns add $L; ip -n $L link set lo up; ip -n $L addr add 198.51.100.7/32 dev lo
ip -n $L link add lan0 type bridge; ip -n $L addr add 203.0.113.1/24 dev lan0; ip -n $L link set lan0 up
for n in 1 2; do
  ip netns add $P-n$n; ip -n $P-n$n link set lo up
  ip -n $P-n$n link add eth0 type veth peer name n$n netns $L
  ip -n $L link set n$n master lan0; ip -n $L link set n$n up
  ip -n $P-n$n link set eth0 address 02:42:cb:00:71:$((9 + n))
  ip -n $P-n$n addr add 203.0.113.$((9 + n))/24 dev eth0; ip -n $P-n$n link set eth0 up
  ip -n $P-n$n route add default via 203.0.113.1 dev eth0
done
# busybox image tarball
R=$WB/rootfs; mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,proc,sys,dev,root,www}
cp /bin/busybox "$R/bin/busybox"; for a in $("$R/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$R/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$R/etc/passwd"; echo 'root:x:0:' > "$R/etc/group"; echo hello > "$R/www/index.html"
tar -C "$R" -cf "$WB/bb.tar" .
mkdir -p /run/docker/plugins /run/containerd/s 2>/dev/null
for n in 1 2; do
  W=$WB/n$n; mkdir -p "$W/dr" "$W/er"
  python3 -c 'import json,sys; print(json.dumps({"deprecated-key-path": sys.argv[1]}))' "$W/key.json" > "$W/daemon.json"
  # the agent tries to pull the image for its task even with --no-resolve-image: give dockerd a
  # resolver on the node's own loopback (a private bind mount), so that lookup fails at once
  echo "nameserver 127.0.0.1" > "$W/resolv.conf"
  NFF_RESOLV=$W/resolv.conf setsid ip netns exec $P-n$n /bin/bash -c '
    set -e
    mount --bind "$NFF_RESOLV" /etc/resolv.conf
    mount -t tmpfs -o mode=755 cgroup_root /sys/fs/cgroup
    for c in cpu cpuacct cpuset memory devices freezer blkio pids; do
      mkdir -p /sys/fs/cgroup/$c; mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c; done
    mkdir -p /sys/fs/cgroup/systemd; mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
    mkdir -p /sys/fs/cgroup/unified; mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified
    exec "$0" "$@"
  ' /usr/sbin/dockerd --data-root "$W/dr" --exec-root "$W/er" -H "unix://$W/d.sock" --pidfile "$W/d.pid" \
    --config-file "$W/daemon.json" > "$W/dockerd.log" 2>&1 < /dev/null &
done
for n in 1 2; do
  for _ in $(seq 1 120); do DOCKER_HOST=unix://$WB/n$n/d.sock $DOCKER version >/dev/null 2>&1 && break; sleep 0.25; done
  DOCKER_HOST=unix://$WB/n$n/d.sock $DOCKER import -c 'CMD ["/bin/sh"]' "$WB/bb.tar" nfplay/busybox:latest >/dev/null
done
d1() { DOCKER_HOST=unix://$WB/n1/d.sock $DOCKER "$@"; }
d2() { DOCKER_HOST=unix://$WB/n2/d.sock $DOCKER "$@"; }
{
echo '$ docker swarm init --advertise-addr 203.0.113.10'; d1 swarm init --advertise-addr 203.0.113.10 2>&1
TOK=$(d1 swarm join-token -q worker)
echo '$ docker swarm join --token TOKEN 203.0.113.10:2377   (node2)'; d2 swarm join --advertise-addr 203.0.113.11 --token "$TOK" 203.0.113.10:2377 2>&1
echo '$ docker node ls'; d1 node ls 2>&1
echo '$ docker network create -d overlay --attachable app'; d1 network create -d overlay --attachable app 2>&1
echo '$ docker service create --no-resolve-image --name web --replicas 2 --publish 8080:80 --network app nfplay/busybox:latest httpd -f -p 80 -h /www'
DOCKER_HOST=unix://$WB/n1/d.sock timeout 90 $DOCKER service create --detach --no-resolve-image --name web --replicas 2 --publish 8080:80 --network app nfplay/busybox:latest httpd -f -p 80 -h /www 2>&1
} > "$OUT/commands-output.txt"
for _ in $(seq 1 60); do
  r=$(d1 service ps web --format '{{.CurrentState}}' 2>/dev/null | grep -c Running); [ "$r" -ge 2 ] && break; sleep 1; done
sleep 3
d1 service ps --no-trunc web >> "$OUT/commands-output.txt" 2>&1
for n in 1 2; do
  O=$OUT/node$n; mkdir -p "$O"; W=$WB/n$n
  dn() { DOCKER_HOST=unix://$W/d.sock $DOCKER "$@"; }
  ip netns exec $P-n$n iptables-save > "$O/iptables-save.txt" 2>&1
  ip netns exec $P-n$n ip -d addr > "$O/ip-addr.txt" 2>&1
  ip netns exec $P-n$n ip route > "$O/ip-route.txt" 2>&1
  ip netns exec $P-n$n sysctl -a 2>/dev/null | grep -E 'ip_forward |route_localnet|bridge-nf-call-ip|conf.(all|default).rp_filter' > "$O/sysctl.txt"
  dn network inspect $(dn network ls -q) > "$O/docker-network-inspect.json" 2>&1
  ids=$(dn ps -aq); [ -n "$ids" ] && dn inspect $ids > "$O/docker-inspect-containers.json" 2>&1
  ls -la "$W/er/netns" > "$O/netns-list.txt" 2>&1
  # the sandboxes' netns files are bind mounts inside dockerd's own mount namespace
  DP=$(cat "$W/d.pid")
  for f in "$W"/er/netns/*; do
    b=$(basename "$f")
    nsenter -t "$DP" -m -- nsenter --net="$f" /bin/sh -c 'echo "### $0"; ip -d addr; ip route; echo "--- sysctl"; sysctl -a 2>/dev/null | grep -E "ip_forward |route_localnet|bridge-nf-call-iptables|vs.conntrack|conf.all.rp_filter"; echo "--- iptables-save"; iptables-save' "$b" > "$O/netns-$b.txt" 2>&1
  done
  cp "$W/dockerd.log" "$O/dockerd.log"
  grep -rlF -- "$WB" "$O" | xargs -r sed -i "s|$WB|\$CAPTURE_WORK|g"
done
# a client on the LAN side tries the published port on both nodes (refused here: no IPVS, no DOCKER-INGRESS)
for n in 10 11; do
  echo "--- HTTP GET 203.0.113.$n:8080 from $L (source 203.0.113.1)" >> "$OUT/curl.txt"
  timeout 8 ip netns exec $L python3 -c "
import urllib.request,sys
try: print(urllib.request.urlopen(sys.argv[1], timeout=4).read())
except Exception as e: print(type(e).__name__, e)" http://203.0.113.$n:8080/ >> "$OUT/curl.txt" 2>&1
done
d1 service rm web >/dev/null 2>&1
cleanup
rmdir /run/docker/plugins /run/docker /run/containerd/s /run/containerd 2>/dev/null
echo done
