# daemon flags: --ip=::1
docker network create net1
docker run -d --name web1 --network net1 -p 9090:90 nfplay/busybox:latest sleep 1d
