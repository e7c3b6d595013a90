# daemon flags: --iptables=false
docker network create app
docker run -d --name web --network app nfplay/busybox:latest sleep 1d
