# daemon flags: 
docker network create --ipv6 --subnet fd00:1::/64 zz6
docker network connect zz6 web
