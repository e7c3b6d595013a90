# daemon flags: 
docker run -d --name e1 -p 127.0.0.1::80 nfplay/busybox:latest sleep 1d
docker run -d --name e2 -p 80 nfplay/busybox:latest sleep 1d
