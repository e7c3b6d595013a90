# docker create takes no address and publishes nothing until docker start
dockerd
# step 01-create
docker create --name late -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name early -p 8081:80 nfplay/busybox:latest sleep 1d
# step 02-start
docker start late
