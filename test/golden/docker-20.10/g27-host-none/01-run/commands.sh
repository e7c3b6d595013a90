# daemon flags: 
docker run -d --name hh --network host -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name nn --network none nfplay/busybox:latest sleep 1d
