# daemon flags: 
docker run -d --name s1 --network net1 --ip 10.30.0.10 -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name s2 --network net1 nfplay/busybox:latest sleep 1d
