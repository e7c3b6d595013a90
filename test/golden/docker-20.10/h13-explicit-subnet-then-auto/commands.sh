# a network with an explicit subnet from the default pools, then automatic ones skip it
dockerd
# step 01-networks
docker network create --subnet 172.18.0.0/16 explicit
docker network create auto1
docker network create auto2
docker network create auto3
# step 02-run
docker run -d --name c1 --network auto3 -p 8080:80 nfplay/busybox:latest sleep 1d
