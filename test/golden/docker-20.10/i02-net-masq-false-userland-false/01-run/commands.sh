# daemon flags: --userland-proxy=false
docker network create -o com.docker.network.bridge.enable_ip_masquerade=false nomasq
docker run -d --name web --network nomasq -p 8080:80 nfplay/busybox:latest sleep 1d
