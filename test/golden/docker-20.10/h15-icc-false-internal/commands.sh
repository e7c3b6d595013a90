# daemon --icc=false next to an --internal network
dockerd --icc=false
# step 01-run
docker network create --internal netint
docker run -d --name i1 --network netint nfplay/busybox:latest sleep 1d
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
