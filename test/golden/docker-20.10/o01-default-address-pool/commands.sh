# dockerd --default-address-pool (daemon.json default-address-pools): docker0 without --bip and
# user networks take their subnets from the pools, in order
dockerd --default-address-pool base=10.10.0.0/16,size=24 --default-address-pool base=10.20.0.0/16,size=26
# step 01-run
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-user-networks
docker network create net1
docker network create net2
docker run -d --name web1 --network net2 -p 9090:90 nfplay/busybox:latest sleep 1d
