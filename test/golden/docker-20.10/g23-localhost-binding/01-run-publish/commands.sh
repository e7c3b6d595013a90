# daemon flags: 
docker run -d --name web -p 127.0.0.1:8080:80 -p 127.0.0.1:5353:53/udp nfplay/busybox:latest sleep 1d
