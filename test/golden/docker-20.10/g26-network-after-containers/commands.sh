# user networks created after containers with published ports exist
dockerd
# step 01-run-publish
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-networks
docker network create net1
docker network create --internal net2
# step 03-run
docker run -d --name web1 --network net1 -p 8081:80 nfplay/busybox:latest sleep 1d
