# daemon flags: 
docker create --name late -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name early -p 8081:80 nfplay/busybox:latest sleep 1d
