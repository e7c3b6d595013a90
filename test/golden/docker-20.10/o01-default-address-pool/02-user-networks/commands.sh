# daemon flags: --default-address-pool base=10.10.0.0/16,size=24 --default-address-pool base=10.20.0.0/16,size=26
docker network create net1
docker network create net2
docker run -d --name web1 --network net2 -p 9090:90 nfplay/busybox:latest sleep 1d
