# --internal network with --userland-proxy=false
dockerd --userland-proxy=false
# step 01-run
docker network create --internal netint
docker run -d --name i1 --network netint -p 8080:80 nfplay/busybox:latest sleep 1d
