# daemon flags: 
docker network create --subnet 10.10.0.0/16 --gateway 10.10.0.254 --ip-range 10.10.5.0/24 net1
