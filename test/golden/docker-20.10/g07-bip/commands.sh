# daemon --bip: default bridge on 10.200.0.0/24
dockerd --bip=10.200.0.1/24
# step 01-run-publish
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name client nfplay/busybox:latest sleep 1d
