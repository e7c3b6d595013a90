# daemon --icc=false plus a user network with enable_icc=false and one with defaults
dockerd --icc=false
# step 01-networks
docker network create -o com.docker.network.bridge.enable_icc=false noicc
docker network create yesicc
# step 02-run
docker run -d --name aa --network noicc -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name bb --network yesicc nfplay/busybox:latest sleep 1d
