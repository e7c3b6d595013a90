# network option enable_ip_masquerade=false
dockerd
# step 01-network-create
docker network create -o com.docker.network.bridge.enable_ip_masquerade=false nomasq
# step 02-run
docker run -d --name web --network nomasq -p 8080:80 nfplay/busybox:latest sleep 1d
