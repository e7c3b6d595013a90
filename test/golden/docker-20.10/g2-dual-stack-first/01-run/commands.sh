# daemon flags: 
docker network create aa
docker run -d --name web --network aa -p 8080:80 nfplay/busybox:latest sleep 1d
