# daemon flags: 
docker network create zeta
docker run -d --name web --network zeta -p 8080:80 nfplay/busybox:latest sleep 1d
