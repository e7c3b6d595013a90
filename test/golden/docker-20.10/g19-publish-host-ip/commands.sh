# -p with host addresses (eth0 IP and 127.0.0.1)
dockerd
# step 01-run-publish
docker run -d --name web -p 203.0.113.10:8080:80 -p 127.0.0.1:8081:81 nfplay/busybox:latest sleep 1d
