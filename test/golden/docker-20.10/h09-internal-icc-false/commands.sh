# --internal network with enable_icc=false
dockerd
# step 01-network-create
docker network create --internal -o com.docker.network.bridge.enable_icc=false intnoicc
# step 02-run
docker run -d --name c1 --network intnoicc nfplay/busybox:latest sleep 1d
