# container on the default bridge connected to an --internal network whose name sorts first: ports stay
dockerd
# step 01-run
docker network create --internal aint
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-connect
docker network connect aint web
