# --userland-proxy=false: connecting to a network that sorts first moves the published port
dockerd --userland-proxy=false
# step 01-run
docker network create zeta
docker run -d --name web --network zeta -p 8080:80 -p 5353:53/udp nfplay/busybox:latest sleep 1d
# step 02-connect
docker network create alpha
docker network connect alpha web
