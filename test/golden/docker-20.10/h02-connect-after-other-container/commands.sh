# docker network connect after another container already took an address on that network
dockerd
# step 01-run
docker network create net1
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name c1 --network net1 -p 8081:80 nfplay/busybox:latest sleep 1d
# step 02-connect
docker network connect net1 web
