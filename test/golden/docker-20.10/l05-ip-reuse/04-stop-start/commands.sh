# daemon flags: 
docker stop -t 1 c2
docker run -d --name c4 nfplay/busybox:latest sleep 1d
docker start c2
