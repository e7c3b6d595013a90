# container on a v4-only network ("aa") with -p, then connected to a dual-stack network whose name sorts last
# ("zz6"): libnetwork's epHeap puts the endpoint with both an IPv4 and an IPv6 gateway first, the ports move
dockerd
# step 01-run
docker network create aa
docker run -d --name web --network aa -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-connect
docker network create --ipv6 --subnet fd00:1::/64 zz6
docker network connect zz6 web
