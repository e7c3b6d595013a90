# daemon flags: --icc=false
docker network create -o com.docker.network.bridge.enable_icc=false noicc
docker network create yesicc
