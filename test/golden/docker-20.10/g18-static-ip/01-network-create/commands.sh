# daemon flags: 
docker network create --subnet 10.30.0.0/24 net1
