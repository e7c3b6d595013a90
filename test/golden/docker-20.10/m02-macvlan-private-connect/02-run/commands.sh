# daemon flags: 
docker run -d --name p1 --network mvp nfplay/busybox:latest sleep 1d
docker run -d --name p2 --network mvp nfplay/busybox:latest sleep 1d
docker run -d --name b1 --network nb -p 8081:80 nfplay/busybox:latest sleep 1d
