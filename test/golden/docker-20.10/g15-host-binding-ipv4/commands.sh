# network option host_binding_ipv4: default host address of -p on that network
dockerd
# step 01-network-create
docker network create -o com.docker.network.bridge.host_binding_ipv4=127.0.0.1 lonet
# step 02-run
docker run -d --name web --network lonet -p 8080:80 -p 0.0.0.0:8081:81 nfplay/busybox:latest sleep 1d
