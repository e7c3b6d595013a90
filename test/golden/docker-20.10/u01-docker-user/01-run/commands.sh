# daemon flags: 
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
