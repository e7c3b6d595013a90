# daemon flags: --ip=127.0.0.1 --userland-proxy=false
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
