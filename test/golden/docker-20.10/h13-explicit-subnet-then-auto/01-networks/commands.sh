# daemon flags: 
docker network create --subnet 172.18.0.0/16 explicit
docker network create auto1
docker network create auto2
docker network create auto3
