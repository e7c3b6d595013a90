# daemon --ip-forward=false on a host with ip_forward=0: no FORWARD DROP policy
# sysctl net.ipv4.ip_forward=0
dockerd --ip-forward=false
# step 01-run-publish
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
