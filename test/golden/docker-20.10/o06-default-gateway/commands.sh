# dockerd --default-gateway: docker0's containers route via that address (reserved in IPAM, not
# docker0's own); the rules do not change, a user network keeps its own gateway
dockerd --default-gateway=172.17.0.254
# step 01-run-publish
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-user-network
docker network create net1
docker run -d --name web1 --network net1 nfplay/busybox:latest sleep 1d
