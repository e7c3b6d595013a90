# daemon flags: --mtu=1400 --userland-proxy-path=/usr/sbin/docker-proxy --network-control-plane-mtu=1400
docker network create -o com.docker.network.bridge.enable_icc=0 -o com.docker.network.bridge.enable_ip_masquerade=f -o com.docker.network.driver.mtu=1300 net1
docker run -d --name web1 --network net1 -p 9090:90 nfplay/busybox:latest sleep 1d
