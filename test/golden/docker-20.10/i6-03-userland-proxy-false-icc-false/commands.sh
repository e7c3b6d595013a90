# IPv6 without the userland proxy (hairpin NAT rules) and with icc off, on docker0 and on a user network
dockerd --ipv6 --fixed-cidr-v6 fd00:1::/64 --experimental --ip6tables --userland-proxy=false --icc=false
# step 01-run-publish
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-network
docker network create --ipv6 --subnet fd00:2::/64 -o com.docker.network.bridge.enable_icc=false net6
docker run -d --name app --network net6 -p 9090:90 nfplay/busybox:latest sleep 1d
