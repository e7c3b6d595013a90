# daemon flags: 
docker network create app
docker run -d --name web2 --network app -p 8081:80 nfplay/busybox:latest sleep 1d
