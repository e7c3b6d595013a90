# boolean network options read like Go's strconv.ParseBool ("0", "f"), MTU settings and
# --userland-proxy-path (no rule changes), inhibit_ipv4 on an --internal network (20.10 still
# reserves the gateway address)
dockerd --mtu=1400 --userland-proxy-path=/usr/sbin/docker-proxy --network-control-plane-mtu=1400
# step 01-bool-values
docker network create -o com.docker.network.bridge.enable_icc=0 -o com.docker.network.bridge.enable_ip_masquerade=f -o com.docker.network.driver.mtu=1300 net1
docker run -d --name web1 --network net1 -p 9090:90 nfplay/busybox:latest sleep 1d
# step 02-internal-inhibit
docker network create --internal -o com.docker.network.bridge.inhibit_ipv4=true net2
docker run -d --name web2 --network net2 nfplay/busybox:latest sleep 1d
