# daemon flags: 
docker run -d --name c1 --network net1 -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name c2 --network net1 nfplay/busybox:latest sleep 1d
