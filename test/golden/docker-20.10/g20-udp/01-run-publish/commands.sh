# daemon flags: 
docker run -d --name web -p 5353:53/udp -p 6000:6000/udp nfplay/busybox:latest sleep 1d
