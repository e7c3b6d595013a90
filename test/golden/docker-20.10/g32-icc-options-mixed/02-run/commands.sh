# daemon flags: --icc=false
docker run -d --name aa --network noicc -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name bb --network yesicc nfplay/busybox:latest sleep 1d
