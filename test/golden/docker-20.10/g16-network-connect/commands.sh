# container on the default bridge with a published port, then connected to a user network
dockerd
# step 01-run-publish
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-connect
docker network create net1
docker network connect net1 web
