# -P with an exposed range
dockerd
# step 01-run
docker run -d --name ee -P --expose 7000-7002 nfplay/busybox:latest sleep 1d
