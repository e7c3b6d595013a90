# network rm and create again: subnets and bridge names
dockerd
# step 01-create
docker network create net1
docker network create net2
docker network create --subnet 10.10.0.0/24 -o com.docker.network.bridge.name=br-fixed fixed
# step 02-rm-net1
docker network rm net1
# step 03-create-net3
docker network create net3
# step 04-rm-fixed-and-net2
docker network rm fixed net2
# step 05-create-again
docker network create net1
docker network create --subnet 10.10.0.0/24 -o com.docker.network.bridge.name=br-fixed fixed
