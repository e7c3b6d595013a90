# daemon flags: 
docker run -d --name c1 --network auto3 -p 8080:80 nfplay/busybox:latest sleep 1d
