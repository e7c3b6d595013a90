# daemon --ip-forward=false on a host that already forwards
# sysctl net.ipv4.ip_forward=1
dockerd --ip-forward=false
# step 01-run-publish
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
