# daemon --ip=127.0.0.1: default host address of -p bindings
dockerd --ip=127.0.0.1
# step 01-run-publish
docker run -d --name web -p 8080:80 -p 203.0.113.10:8081:81 nfplay/busybox:latest sleep 1d
# step 02-user-network
docker network create net1
docker run -d --name web1 --network net1 -p 8082:80 nfplay/busybox:latest sleep 1d
