# daemon --icc=false: default bridge gets FORWARD -i docker0 -o docker0 DROP
dockerd --icc=false
# step 01-run-publish
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name client nfplay/busybox:latest sleep 1d
# step 02-user-network
docker network create net1
docker run -d --name web1 --network net1 -p 8081:80 nfplay/busybox:latest sleep 1d
