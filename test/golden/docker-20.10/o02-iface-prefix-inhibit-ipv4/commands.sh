# docker network create -o com.docker.network.container_iface_prefix (the container's interface
# name) and -o com.docker.network.bridge.inhibit_ipv4 (no gateway address on the bridge)
dockerd
# step 01-iface-prefix
docker network create -o com.docker.network.container_iface_prefix=lan net1
docker run -d --name web1 --network net1 -p 9090:90 nfplay/busybox:latest sleep 1d
# step 02-inhibit-ipv4
docker network create -o com.docker.network.bridge.inhibit_ipv4=true net2
docker run -d --name web2 --network net2 -p 9091:91 nfplay/busybox:latest sleep 1d
