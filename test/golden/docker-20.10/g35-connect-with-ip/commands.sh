# docker network connect --ip to a user network with a subnet
dockerd
# step 01-run
docker network create --subnet 10.40.0.0/24 net1
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker network connect --ip 10.40.0.40 net1 web
