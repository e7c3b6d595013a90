# daemon flags: 
docker run -d --name dns -p 8053:53/udp -p 8053:53/tcp nfplay/busybox:latest sleep 1d
