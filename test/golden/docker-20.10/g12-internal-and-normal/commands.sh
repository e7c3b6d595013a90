# an --internal network next to a normal one, containers on both
dockerd
# step 01-networks
docker network create --internal netint
docker network create netpub
# step 02-run
docker run -d --name i1 --network netint nfplay/busybox:latest sleep 1d
docker run -d --name p1 --network netpub -p 8080:80 nfplay/busybox:latest sleep 1d
