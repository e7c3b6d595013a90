# daemon flags: 
docker run -d --name c3 -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name n3 --network net1 nfplay/busybox:latest sleep 1d
