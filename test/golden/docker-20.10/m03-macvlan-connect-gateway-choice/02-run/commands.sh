# daemon flags: --icc=false
docker run -d --name v1 --network lan -P --expose 80 nfplay/busybox:latest sleep 1d
docker run -d --name v2 --network abr -p 9090:90 nfplay/busybox:latest sleep 1d
docker network connect lan v2
docker run -d --name v3 --network zbr -p 9191:91 nfplay/busybox:latest sleep 1d
docker network connect lan v3
