# daemon flags: 
docker run -d --name m1 --network mv1 nfplay/busybox:latest sleep 1d
docker run -d --name m2 --network mv1 --ip 192.168.50.20 -p 8080:80 nfplay/busybox:latest sleep 1d
