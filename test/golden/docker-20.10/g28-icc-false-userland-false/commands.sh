# --icc=false with --userland-proxy=false, default bridge and a user network
dockerd --icc=false --userland-proxy=false
# step 01-run
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker network create net1
docker run -d --name web1 --network net1 -p 8081:80 nfplay/busybox:latest sleep 1d
