# a host port range for one container port takes the first free port of the range
dockerd
# step 01-run
docker run -d --name aa -p 9000-9010:80 nfplay/busybox:latest sleep 1d
docker run -d --name bb -p 9000-9010:80 nfplay/busybox:latest sleep 1d
