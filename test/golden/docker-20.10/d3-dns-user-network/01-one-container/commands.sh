# daemon flags: 
docker network create app
docker run -d --name web --network app -p 8080:80 nfplay/busybox:latest sleep 1d
