# container whose first network is --internal ("back") with -p (dropped), then connected to a normal network
# ("front", name sorts first): libnetwork's gateway endpoint becomes front, the ports are published there
dockerd
# step 01-run
docker network create --internal back
docker run -d --name web --network back -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-connect
docker network create front
docker network connect front web
