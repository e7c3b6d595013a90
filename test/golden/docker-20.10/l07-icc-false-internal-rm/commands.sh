# icc=false daemon: internal and icc=false networks removed and created again
dockerd --icc=false
# step 01-create
docker network create --internal inner
docker network create -o com.docker.network.bridge.enable_icc=false quiet
docker network create open
docker run -d --name web --network open -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-rm-web-and-open
docker rm -f web
docker network rm open
# step 03-rm-inner
docker network rm inner
# step 04-create-again
docker network create --internal inner
docker network create open
docker run -d --name web --network open -p 8080:80 nfplay/busybox:latest sleep 1d
