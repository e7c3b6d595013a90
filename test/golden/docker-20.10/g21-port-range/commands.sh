# port ranges 9000-9002:9000-9002 (tcp) and udp
dockerd
# step 01-run-publish
docker run -d --name web -p 9000-9002:9000-9002 nfplay/busybox:latest sleep 1d
docker run -d --name web2 -p 7000-7001:7000-7001/udp nfplay/busybox:latest sleep 1d
