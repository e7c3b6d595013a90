# daemon flags: 
docker network create --internal netint
docker run -d --name web --network netint -p 8080:80 nfplay/busybox:latest sleep 1d
