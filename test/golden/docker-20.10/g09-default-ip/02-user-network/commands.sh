# daemon flags: --ip=127.0.0.1
docker network create net1
docker run -d --name web1 --network net1 -p 8082:80 nfplay/busybox:latest sleep 1d
