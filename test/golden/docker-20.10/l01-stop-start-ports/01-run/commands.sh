# daemon flags: 
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name eph -p 9000 -p 9001/udp nfplay/busybox:latest sleep 1d
docker run -d --name db -p 5432:5432 nfplay/busybox:latest sleep 1d
