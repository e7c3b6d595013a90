# udp ports (sctp cannot be captured here: this kernel has no SCTP, docker-proxy fails with "protocol not supported")
dockerd
# step 01-run-publish
docker run -d --name web -p 5353:53/udp -p 6000:6000/udp nfplay/busybox:latest sleep 1d
