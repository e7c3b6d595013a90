# daemon flags: 
docker network create --internal --subnet 10.50.0.0/24 -o com.docker.network.bridge.name=intbr0 intnet
