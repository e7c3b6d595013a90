# daemon flags: --default-gateway=172.17.0.254
docker network create net1
docker run -d --name web1 --network net1 nfplay/busybox:latest sleep 1d
