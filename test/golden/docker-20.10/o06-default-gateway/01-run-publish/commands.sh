# daemon flags: --default-gateway=172.17.0.254
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
