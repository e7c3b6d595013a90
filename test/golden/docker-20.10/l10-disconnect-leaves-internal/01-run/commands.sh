# daemon flags: 
docker network create --internal inner
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker network connect inner web
