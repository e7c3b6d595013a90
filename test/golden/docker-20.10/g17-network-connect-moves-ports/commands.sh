# published port on network zeta; connecting to alpha (sorts first) makes alpha the gateway endpoint
dockerd
# step 01-run-publish
docker network create zeta
docker run -d --name web --network zeta -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-connect
docker network create alpha
docker network connect alpha web
