# daemon flags: 
docker run -d --name e1 -p 80 -p 53/udp nfplay/busybox:latest sleep 1d
docker run -d --name e2 -p 81 nfplay/busybox:latest sleep 1d
