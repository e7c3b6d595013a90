# daemon flags: 
docker network create front
docker network create back
docker run -d --name web --network front nfplay/busybox:latest sleep 1d
