# daemon flags: 
docker run -d --name m1 --network mv nfplay/busybox:latest sleep 1d
