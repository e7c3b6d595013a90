# default daemon on a host that already forwards (ip_forward=1 before dockerd starts)
# sysctl net.ipv4.ip_forward=1
dockerd
# step 01-run-publish
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
