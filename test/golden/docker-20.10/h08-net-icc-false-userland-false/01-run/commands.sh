# daemon flags: --userland-proxy=false
docker network create -o com.docker.network.bridge.enable_icc=false noicc
docker run -d --name web --network noicc -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name client --network noicc nfplay/busybox:latest sleep 1d
