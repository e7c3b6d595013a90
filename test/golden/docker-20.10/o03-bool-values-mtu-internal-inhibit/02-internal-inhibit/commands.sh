# daemon flags: --mtu=1400 --userland-proxy-path=/usr/sbin/docker-proxy --network-control-plane-mtu=1400
docker network create --internal -o com.docker.network.bridge.inhibit_ipv4=true net2
docker run -d --name web2 --network net2 nfplay/busybox:latest sleep 1d
