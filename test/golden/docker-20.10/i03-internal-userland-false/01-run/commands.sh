# daemon flags: --userland-proxy=false
docker network create --internal netint
docker run -d --name i1 --network netint -p 8080:80 nfplay/busybox:latest sleep 1d
