# daemon flags: --ipv6 --fixed-cidr-v6 fd00:1::/64 --experimental --ip6tables
docker network create --ipv6 --subnet fd00:2::/64 net6
