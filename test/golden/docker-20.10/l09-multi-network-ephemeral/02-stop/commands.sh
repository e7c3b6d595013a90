# daemon flags: 
docker stop -t 1 web
docker run -d --name other -p 80 nfplay/busybox:latest sleep 1d
