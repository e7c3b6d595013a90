# daemon flags: 
docker run -d --name c1 --network intnoicc nfplay/busybox:latest sleep 1d
