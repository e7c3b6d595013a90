# daemon flags: --iptables=false
docker network create --internal priv
docker run -d --name vault --network priv nfplay/busybox:latest sleep 1d
