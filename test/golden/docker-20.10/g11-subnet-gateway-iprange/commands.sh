# user network with --subnet, --gateway, --ip-range
dockerd
# step 01-network-create
docker network create --subnet 10.10.0.0/16 --gateway 10.10.0.254 --ip-range 10.10.5.0/24 net1
# step 02-run
docker run -d --name c1 --network net1 -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name c2 --network net1 nfplay/busybox:latest sleep 1d
