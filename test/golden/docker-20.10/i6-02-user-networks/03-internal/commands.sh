# daemon flags: --ipv6 --fixed-cidr-v6 fd00:1::/64 --experimental --ip6tables
docker network create --ipv6 --subnet fd00:3::/64 --internal int6
docker run -d --name db --network int6 nfplay/busybox:latest sleep 1d
