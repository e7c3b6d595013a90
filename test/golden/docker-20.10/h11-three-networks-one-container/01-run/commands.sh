# daemon flags: 
docker network create net1
docker network create net2
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
