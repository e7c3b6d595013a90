# daemon flags: 
docker network create --subnet 10.70.0.0/28 --gateway 10.70.0.14 --ip-range 10.70.0.8/29 small
docker run -d --name c1 --network small -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name c2 --network small nfplay/busybox:latest sleep 1d
