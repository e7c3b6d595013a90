# embedded DNS: a container on two user-defined networks has one resolver (one set of rules)
dockerd
# step 01-run
docker network create front
docker network create back
docker run -d --name web --network front nfplay/busybox:latest sleep 1d
# step 02-connect
docker network connect back web
