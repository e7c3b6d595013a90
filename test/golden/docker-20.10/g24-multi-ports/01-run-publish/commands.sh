# daemon flags: 
docker run -d --name web -p 8080:80 -p 8443:443 -p 5353:53/udp nfplay/busybox:latest sleep 1d
