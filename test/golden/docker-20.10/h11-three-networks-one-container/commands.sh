# container on the default bridge with a port, connected to two user networks
dockerd
# step 01-run
docker network create net1
docker network create net2
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-connect
docker network connect net1 web
docker network connect net2 web
