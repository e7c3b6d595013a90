# daemon flags: 
docker network create net1
docker container create --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker container run -d --name db --network net1 nfplay/busybox:latest sleep 1d
