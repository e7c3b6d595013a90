# daemon flags: 
docker run -d --name web --network named -p 8080:80 nfplay/busybox:latest sleep 1d
