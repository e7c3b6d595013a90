# daemon flags: --ipv6 --fixed-cidr-v6 fd00:1::/64 --experimental --ip6tables --userland-proxy=false --icc=false
docker network create --ipv6 --subnet fd00:2::/64 -o com.docker.network.bridge.enable_icc=false net6
docker run -d --name app --network net6 -p 9090:90 nfplay/busybox:latest sleep 1d
