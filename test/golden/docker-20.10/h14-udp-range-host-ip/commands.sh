# udp range on a host address
dockerd
# step 01-run
docker run -d --name web -p 127.0.0.1:7000-7001:7000-7001/udp nfplay/busybox:latest sleep 1d
