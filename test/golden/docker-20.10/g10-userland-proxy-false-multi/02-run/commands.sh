# daemon flags: --userland-proxy=false
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name web1 --network net1 -p 8081:80 -p 127.0.0.1:8082:82 nfplay/busybox:latest sleep 1d
docker run -d --name web2 --network net2 -p 5353:53/udp nfplay/busybox:latest sleep 1d
