# network enable_ip_masquerade=false with --userland-proxy=false
dockerd --userland-proxy=false
# step 01-run
docker network create -o com.docker.network.bridge.enable_ip_masquerade=false nomasq
docker run -d --name web --network nomasq -p 8080:80 nfplay/busybox:latest sleep 1d
