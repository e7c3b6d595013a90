# daemon flags: 
docker run -d --name db --network app nfplay/busybox:latest sleep 1d
