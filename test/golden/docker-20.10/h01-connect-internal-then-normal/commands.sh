# container on an --internal network with -p (dropped), then connected to a normal network: ports published there
dockerd
# step 01-run-internal
docker network create --internal netint
docker run -d --name web --network netint -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-connect
docker network create netpub
docker network connect netpub web
