# daemon flags: 
docker network create app
docker run -d --name web --network app -p 8080:80 -p 127.0.0.1:5353:53/udp nfplay/busybox:latest sleep 1d
docker run -d --name api --network app -p 9000-9001:9000-9001 nfplay/busybox:latest sleep 1d
