# two container ports asking for the same host range
dockerd
# step 01-run
docker run -d --name web -p 9000-9001:80 -p 9000-9001:81 nfplay/busybox:latest sleep 1d
