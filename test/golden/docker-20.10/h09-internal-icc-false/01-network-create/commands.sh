# daemon flags: 
docker network create --internal -o com.docker.network.bridge.enable_icc=false intnoicc
