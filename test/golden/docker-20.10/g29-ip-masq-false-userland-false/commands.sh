# --ip-masq=false with --userland-proxy=false
dockerd --ip-masq=false --userland-proxy=false
# step 01-run
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker network create net1
docker run -d --name web1 --network net1 -p 8081:80 nfplay/busybox:latest sleep 1d
