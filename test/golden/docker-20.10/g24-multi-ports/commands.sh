# several ports on one container
dockerd
# step 01-run-publish
docker run -d --name web -p 8080:80 -p 8443:443 -p 5353:53/udp nfplay/busybox:latest sleep 1d
