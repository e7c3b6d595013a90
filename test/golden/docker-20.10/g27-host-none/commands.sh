# --network host (published ports are discarded) and --network none
dockerd
# step 01-run
docker run -d --name hh --network host -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name nn --network none nfplay/busybox:latest sleep 1d
