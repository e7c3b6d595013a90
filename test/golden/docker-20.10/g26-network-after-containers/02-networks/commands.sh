# daemon flags: 
docker network create net1
docker network create --internal net2
