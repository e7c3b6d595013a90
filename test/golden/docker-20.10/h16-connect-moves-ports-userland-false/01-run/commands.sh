# daemon flags: --userland-proxy=false
docker network create zeta
docker run -d --name web --network zeta -p 8080:80 -p 5353:53/udp nfplay/busybox:latest sleep 1d
