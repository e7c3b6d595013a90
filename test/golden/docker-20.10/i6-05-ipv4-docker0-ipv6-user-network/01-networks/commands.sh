# daemon flags: --experimental --ip6tables
docker network create plain
docker network create --ipv6 --subnet fd00:5::/64 v6net
