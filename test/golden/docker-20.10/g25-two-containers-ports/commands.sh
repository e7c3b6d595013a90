# two containers publishing different ports
dockerd
# step 01-run-publish
docker run -d --name web1 -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name web2 -p 8081:80 nfplay/busybox:latest sleep 1d
