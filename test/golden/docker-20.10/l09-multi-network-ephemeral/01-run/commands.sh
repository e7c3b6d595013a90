# daemon flags: 
docker network create net1
docker run -d --name web -p 9000 nfplay/busybox:latest sleep 1d
docker network connect net1 web
