# daemon flags: 
docker run -d --name web -p 8080:80 -p 8081:80 nfplay/busybox:latest sleep 1d
docker run -d --name web2 -p 127.0.0.1:9090:90 -p 203.0.113.10:9090:90 nfplay/busybox:latest sleep 1d
