# --ip=127.0.0.1 with --userland-proxy=false
dockerd --ip=127.0.0.1 --userland-proxy=false
# step 01-run
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
