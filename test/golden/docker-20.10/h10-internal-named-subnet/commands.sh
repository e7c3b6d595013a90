# --internal network with a bridge name and a subnet
dockerd
# step 01-network-create
docker network create --internal --subnet 10.50.0.0/24 -o com.docker.network.bridge.name=intbr0 intnet
# step 02-run
docker run -d --name c1 --network intnet nfplay/busybox:latest sleep 1d
