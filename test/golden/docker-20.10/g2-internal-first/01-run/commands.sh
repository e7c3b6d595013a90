# daemon flags: 
docker network create --internal back
docker run -d --name web --network back -p 8080:80 nfplay/busybox:latest sleep 1d
