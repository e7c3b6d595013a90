# daemon flags: --ip=::1
docker run -d --name web -p 8080:80 -p 127.0.0.1:8081:81 --expose 7000 -P nfplay/busybox:latest sleep 1d
