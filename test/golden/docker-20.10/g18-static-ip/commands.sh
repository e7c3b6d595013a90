# --ip static addresses on a user network; the next container takes the first free address
dockerd
# step 01-network-create
docker network create --subnet 10.30.0.0/24 net1
# step 02-run
docker run -d --name s1 --network net1 --ip 10.30.0.10 -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name s2 --network net1 nfplay/busybox:latest sleep 1d
