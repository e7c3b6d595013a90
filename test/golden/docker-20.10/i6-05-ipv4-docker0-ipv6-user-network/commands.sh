# ip6tables on but docker0 without IPv6; an IPv4-only user network and an IPv6 one, each with a published port
dockerd --experimental --ip6tables
# step 01-networks
docker network create plain
docker network create --ipv6 --subnet fd00:5::/64 v6net
# step 02-run
docker run -d --name web6 --network v6net -p 8085:85 nfplay/busybox:latest sleep 1d
docker run -d --name web4 --network plain -p 8086:86 nfplay/busybox:latest sleep 1d
