# daemon flags: --userland-proxy=false
docker run -d --name web -p 8080:80 -p 8443:443 nfplay/busybox:latest sleep 1d
docker run -d --name api -p 9000:9000/udp nfplay/busybox:latest sleep 1d
