# daemon flags: 
docker network create net1
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name other --network net1 nfplay/busybox:latest sleep 1d
