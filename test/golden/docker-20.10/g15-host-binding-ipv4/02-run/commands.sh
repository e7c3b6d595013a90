# daemon flags: 
docker run -d --name web --network lonet -p 8080:80 -p 0.0.0.0:8081:81 nfplay/busybox:latest sleep 1d
