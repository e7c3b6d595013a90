# daemon flags: --icc=false
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name client nfplay/busybox:latest sleep 1d
