# daemon flags: 
docker run -d --name e1 -p 80 nfplay/busybox:latest sleep 1d
docker run -d --name e2 -P --expose 80 --expose 443 nfplay/busybox:latest sleep 1d
