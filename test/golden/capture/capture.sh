#!/bin/bash
# Capture what real dockerd (Debian docker.io 20.10) does for a scenario, entirely inside private
# network namespaces. Adapted from the oracle toolkit's recipe (shared/oracle/bin).
#
#   capture.sh [-j JOBS] SCENARIO_DIR...
#
# SCENARIO_DIR/commands.sh is the input, in the text nfplay's `commands` importer reads:
#   # any comment                        (ignored)
#   # sysctl net.ipv4.ip_forward=1       (set inside the docker-host netns BEFORE dockerd starts)
#   dockerd --icc=false                  (first command line: the daemon's flags, may be bare `dockerd`)
#   # step 01-run                        (starts a step; the daemon start is step 00-daemon-start)
#   docker run -d --name web -p 8080:80 nfplay/busybox sleep 1d
# Output, per step, SCENARIO_DIR/<NN-step>/ (the layout test/golden/docker-20.10.test.ts reads):
#   commands.sh (the step's commands; step 00 starts with "# daemon flags: ..." and "# host sysctl: k=v"),
#   iptables-save.txt, ip6tables-save.txt, ip-addr.txt, sysctl.txt, commands-output.txt,
#   docker-inspect-containers.json, docker-network-inspect.json, summary.json, summary.txt,
#   and per running container with its own netns: ctr-<name>-iptables-save.txt, ctr-<name>-ss.txt
#   (ss -lntup), ctr-<name>-nft.txt (nft list ruleset).
# Old NN-* step directories of the scenario are replaced.
#
# Safety: dockerd runs only inside the namespaces created here (nfc<N>-d, peer nfc<N>-x), with
# data-root/exec-root/socket/pidfile under $NFPLAY_CAPTURE_WORK (default /tmp/nfc, keep it short:
# unix socket paths < 108 bytes), and is stopped by its PID. The root netns is checked before and
# after: iptables-save / ip6tables-save must print no rule and no docker0 may exist there.
# Needs (as root): apt-get install -y --no-install-recommends docker.io busybox-static iptables \
#   nftables iproute2 conntrack   (with a policy-rc.d that exits 101 so apt starts no docker service).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WB=$(realpath -m -- "${NFPLAY_CAPTURE_WORK:-/tmp/nfc}")
[ "$WB" != / ] || { echo "NFPLAY_CAPTURE_WORK must not be /" >&2; exit 2; }
DOCKER=/usr/bin/docker
DOCKERD=/usr/sbin/dockerd
IMG=nfplay/busybox:latest
JOBS=1
[ "${1:-}" = -j ] && { JOBS=$2; shift 2; }
[ $# -gt 0 ] || { sed -n '2,27p' "$0"; exit 64; }
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
for b in $DOCKER $DOCKERD /bin/busybox iptables-save ip python3 nft nsenter ss; do command -v "$b" >/dev/null || { echo "missing $b (see the header)" >&2; exit 2; }; done

log() { echo "[$(date +%T)] $*" >&2; }
# The ruleset of the root netns must stay empty (iptables-save prints only "#" lines, or nothing).
rootns_check() {
  local n
  n=$( { iptables-save; ip6tables-save; } 2>/dev/null | grep -vc '^#')
  if [ "$n" != 0 ] || ip link show docker0 >/dev/null 2>&1; then
    echo "ROOT NETNS NOT EMPTY ($n iptables lines, or docker0 exists); aborting" >&2; exit 99
  fi
}
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^[^)]*) Z' "/proc/$1/stat" 2>/dev/null; }

image_tar() {  # busybox-static rootfs, imported as $IMG (CMD /bin/sh)
  local R=$WB/rootfs
  [ -f "$WB/bb-rootfs.tar" ] && return 0
  rm -rf "$R"; mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,proc,sys,dev,root}
  cp /bin/busybox "$R/bin/busybox"
  for a in $("$R/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$R/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$R/etc/passwd"; echo 'root:x:0:' > "$R/etc/group"
  chmod 1777 "$R/tmp"
  tar -C "$R" -cf "$WB/bb-rootfs.tar.tmp" . && mv "$WB/bb-rootfs.tar.tmp" "$WB/bb-rootfs.tar"
}

# ---------------------------------------------------------------- one scenario
run_one() {  # run_one SCENARIO_DIR INDEX
  local SD; SD=$(realpath "$1"); local K=$2
  local P=${NFPLAY_CAPTURE_NS:-nfc}
  local D=$P$K-d X=$P$K-x W=$WB/$K
  local NSD="ip netns exec $D"
  local IN=$SD/commands.sh
  [ -f "$IN" ] || { log "$SD: no commands.sh"; return 1; }
  export DOCKER_HOST=unix://$W/docker.sock
  local flags="" sysctls=() line
  while IFS= read -r line; do
    case "$line" in
      "# sysctl "*) sysctls+=("${line#\# sysctl }");;
      dockerd|"dockerd "*) flags=${line#dockerd}; flags=${flags# }; break;;
      "#"*|"") ;;
      *) log "$SD: first command must be a dockerd line"; return 1;;
    esac
  done < "$IN"
  local -a FLAGS; read -r -a FLAGS <<< "$flags"

  cleanup_one() {
    if [ -f "$W/d.pid" ] && alive "$(cat "$W/d.pid")"; then
      local ids; ids=$($DOCKER ps -aq 2>/dev/null)
      [ -n "$ids" ] && $DOCKER rm -f $ids >/dev/null 2>&1
      local P; P=$(cat "$W/d.pid"); kill -TERM "$P"
      for _ in $(seq 1 120); do alive "$P" || break; sleep 0.25; done
      alive "$P" && kill -KILL "$P"
    fi
    # anything still running from this work dir (containerd, shims) was started by us: stop by PID
    local p
    for p in /proc/[0-9]*; do
      p=${p#/proc/}
      tr "\0" " " 2>/dev/null < "/proc/$p/cmdline" | grep -qF -- "$W/" && kill -KILL "$p" 2>/dev/null
    done
    ip netns del "$X" 2>/dev/null; ip netns del "$D" 2>/dev/null
    sleep 0.5; rm -rf "$W"
  }
  cleanup_one
  mkdir -p "$W/dr" "$W/er"
  echo '{}' > "$W/daemon.json"
  python3 -c 'import json,sys; print(json.dumps({"deprecated-key-path": sys.argv[1]}))' "$W/key.json" > "$W/daemon.json"

  # network namespaces: docker host D (eth0 203.0.113.10/24) and its "external" peer X
  ip netns add "$D" && ip netns add "$X" || { log "netns $D exists?"; return 1; }
  ip -n "$D" link add eth0 type veth peer name eth0 netns "$X"
  ip -n "$D" link set lo up; ip -n "$X" link set lo up
  ip -n "$D" link set eth0 address 02:42:cb:00:71:0a; ip -n "$X" link set eth0 address 02:42:cb:00:71:01
  ip -n "$D" addr add 203.0.113.10/24 dev eth0; ip -n "$X" addr add 203.0.113.1/24 dev eth0
  ip -n "$X" addr add 198.51.100.7/32 dev lo
  ip -n "$D" link set eth0 up; ip -n "$X" link set eth0 up
  ip -n "$D" route add default via 203.0.113.1 dev eth0
  local s
  for s in "${sysctls[@]}"; do $NSD sysctl -qw "$s" || { log "sysctl $s failed"; cleanup_one; return 1; }; done

  # dockerd, in D, with a private mount ns where the cgroup v1 hierarchies are mounted
  setsid ip netns exec "$D" /bin/bash -c '
    set -e
    mount -t tmpfs -o mode=755 cgroup_root /sys/fs/cgroup
    for c in cpu cpuacct cpuset memory devices freezer blkio pids; do
      mkdir -p /sys/fs/cgroup/$c; mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c; done
    mkdir -p /sys/fs/cgroup/systemd; mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
    mkdir -p /sys/fs/cgroup/unified; mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified
    exec "$0" "$@"
  ' "$DOCKERD" --data-root "$W/dr" --exec-root "$W/er" -H "unix://$W/docker.sock" --pidfile "$W/d.pid" \
    --config-file "$W/daemon.json" "${FLAGS[@]}" > "$W/dockerd.log" 2>&1 < /dev/null &
  local up=0
  for _ in $(seq 1 120); do
    if $DOCKER version >/dev/null 2>&1 && [ -f "$W/d.pid" ] && alive "$(cat "$W/d.pid")"; then up=1; break; fi
    sleep 0.25
  done
  if [ $up = 0 ]; then log "$SD: dockerd did not come up"; tail -20 "$W/dockerd.log" >&2; cleanup_one; return 1; fi
  $DOCKER import -c 'CMD ["/bin/sh"]' "$WB/bb-rootfs.tar" $IMG >/dev/null

  # Per running container with a netns of its own: the rules dockerd wrote inside it (the embedded
  # DNS resolver's DOCKER_OUTPUT/DOCKER_POSTROUTING) and the sockets listening there (the resolver).
  capture_containers() {  # capture_containers DIR CONTAINER_ID...
    local O=$1 c name pid mode netns; shift
    local rootnet hostnet; rootnet=$(readlink /proc/1/ns/net); hostnet=$($NSD readlink /proc/self/ns/net)
    for c in "$@"; do
      read -r name pid mode < <($DOCKER inspect -f '{{.Name}} {{.State.Pid}} {{.HostConfig.NetworkMode}}' "$c" 2>/dev/null)
      name=${name#/}
      case "$mode" in host|container:*) continue;; esac
      [[ "$pid" =~ ^[0-9]+$ ]] && [ "$pid" -gt 1 ] || continue   # not running: no namespace
      netns=$(readlink "/proc/$pid/ns/net" 2>/dev/null) || continue
      # never read (or enter) the root netns or the docker host's own netns by mistake
      [ -n "$netns" ] && [ "$netns" != "$rootnet" ] && [ "$netns" != "$hostnet" ] || continue
      nsenter -t "$pid" -n iptables-save > "$O/ctr-$name-iptables-save.txt" 2>&1
      nsenter -t "$pid" -n ss -lntup > "$O/ctr-$name-ss.txt" 2>&1
      # which base chains really exist (iptables-save prints every built-in chain, nft only the created ones)
      nsenter -t "$pid" -n nft list ruleset > "$O/ctr-$name-nft.txt" 2>&1
    done
  }

  capture_step() {  # capture_step DIR
    local O=$1
    $NSD iptables-save > "$O/iptables-save.txt" 2>&1
    $NSD ip6tables-save > "$O/ip6tables-save.txt" 2>&1
    $NSD ip addr > "$O/ip-addr.txt" 2>&1
    $NSD sysctl -a 2>/dev/null | grep -E 'ip_forward |route_localnet|bridge-nf-call-ip|ip_local_port_range' > "$O/sysctl.txt"
    local cids nids
    cids=$($DOCKER ps -aq); nids=$($DOCKER network ls -q)
    if [ -n "$cids" ]; then $DOCKER inspect $cids > "$O/docker-inspect-containers.json"; else echo '[]' > "$O/docker-inspect-containers.json"; fi
    $DOCKER network inspect $nids > "$O/docker-network-inspect.json"
    python3 "$HERE/summarize.py" "$O/docker-inspect-containers.json" "$O/docker-network-inspect.json" "$O/summary.json" "$O/summary.txt"
    capture_containers "$O" $cids
    grep -rlF -- "$W" "$O" | xargs -r sed -i "s|$W|\$CAPTURE_WORK|g"
  }

  find "$SD" -mindepth 1 -maxdepth 1 -type d -name '[0-9][0-9]-*' -exec rm -rf {} +
  local step=00-daemon-start O=$SD/00-daemon-start started=0 rc=0
  mkdir -p "$O"
  { echo "# daemon flags: $flags"; for s in "${sysctls[@]}"; do echo "# host sysctl: $s"; done; } > "$O/commands.sh"
  : > "$O/commands-output.txt"
  while IFS= read -r line; do
    case "$line" in
      dockerd|"dockerd "*) started=1; continue;;
      "# step "*)
        [ $started = 1 ] || continue
        capture_step "$O"
        step=${line#\# step }; O=$SD/$step; mkdir -p "$O"
        echo "# daemon flags: $flags" > "$O/commands.sh"; : > "$O/commands-output.txt"
        continue;;
      "#"*|"") continue;;
      "docker "*|"docker-compose "*) ;;   # docker-compose (v1) runs in the scenario directory
      "iptables "*|"ip6tables "*) ;;      # the user's own rules (DOCKER-USER), run inside the docker host netns
      *) log "$SD: not a docker command: $line"; rc=1; break;;
    esac
    echo "$line" >> "$O/commands.sh"
    local -a ARGV; eval "ARGV=($line)"
    local out crc
    if [ "${ARGV[0]}" = docker-compose ]; then out=$(cd "$SD" && docker-compose "${ARGV[@]:1}" 2>&1); crc=$?
    elif [ "${ARGV[0]}" = iptables ] || [ "${ARGV[0]}" = ip6tables ]; then out=$($NSD "${ARGV[@]}" 2>&1); crc=$?
    else out=$($DOCKER "${ARGV[@]:1}" 2>&1); crc=$?; fi
    printf '$ %s\n%s\n(rc=%s)\n' "$line" "$out" "$crc" >> "$O/commands-output.txt"
    # a failing command makes the capture fail: nfplay's golden test replays every command
    if [ $crc != 0 ]; then log "$SD/$step: command failed (rc=$crc): $line"; echo "$out" >&2; rc=1; break; fi
  done < "$IN"
  [ $rc = 0 ] && capture_step "$O"
  [ $rc = 0 ] || cp "$W/dockerd.log" "$SD/dockerd-failed.log" 2>/dev/null   # kept only when the capture failed
  cleanup_one
  log "done $(basename "$SD")"
  return $rc
}

# ---------------------------------------------------------------- main
rootns_check
trap rootns_check EXIT
mkdir -p "$WB"
image_tar
# dockerd insists on these (outside the data/exec roots); created empty, removed at the end if still empty
mkdir -p /run/docker/plugins /run/containerd/s 2>/dev/null
T0=$(date +%s)
i=0
mkdir -p "$WB/status"
for dir in "$@"; do
  i=$((i + 1))
  ( run_one "$dir" "$i"; echo $? > "$WB/status/$i" ) &
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
done
wait
fail=0
for k in $(seq 1 $i); do [ "$(cat "$WB/status/$k" 2>/dev/null)" = 0 ] || { fail=$((fail + 1)); log "FAILED: ${!k}"; }; done
rmdir /run/docker/plugins /run/docker /run/containerd/s /run/containerd 2>/dev/null
rm -rf "$WB"
log "captured $# scenario(s) in $(( $(date +%s) - T0 ))s, $fail failed"
[ $fail = 0 ]
