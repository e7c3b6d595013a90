# daemon flags: 
docker network create net1
docker network create net2
docker network create --subnet 10.10.0.0/24 -o com.docker.network.bridge.name=br-fixed fixed
