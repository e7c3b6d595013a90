# daemon flags: --userland-proxy=false
docker network create -o com.docker.network.bridge.host_binding_ipv4=203.0.113.10 hb
docker run -d --name web --network hb -p 8080:80 nfplay/busybox:latest sleep 1d
