# daemon flags: 
docker run -d --name c1 --network intnet nfplay/busybox:latest sleep 1d
