# daemon flags: 
docker network create net1
docker run -d --name c1 nfplay/busybox:latest sleep 1d
docker run -d --name c2 nfplay/busybox:latest sleep 1d
docker run -d --name n1 --network net1 nfplay/busybox:latest sleep 1d
docker run -d --name n2 --network net1 nfplay/busybox:latest sleep 1d
