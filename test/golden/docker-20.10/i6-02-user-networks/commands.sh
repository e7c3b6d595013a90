# user-defined IPv6 networks: a normal one with published ports, an internal one, a second container
dockerd --ipv6 --fixed-cidr-v6 fd00:1::/64 --experimental --ip6tables
# step 01-network
docker network create --ipv6 --subnet fd00:2::/64 net6
# step 02-run
docker run -d --name web --network net6 -p 8081:80 -p 127.0.0.1:8082:82/udp nfplay/busybox:latest sleep 1d
# step 03-internal
docker network create --ipv6 --subnet fd00:3::/64 --internal int6
docker run -d --name db --network int6 nfplay/busybox:latest sleep 1d
# step 04-default-bridge
docker run -d --name old -p 8083:83 nfplay/busybox:latest sleep 1d
