# container on an --internal network connected to the default bridge: its ports get published there
dockerd
# step 01-run
docker network create --internal aint
docker run -d --name web --network aint -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-connect
docker network connect bridge web
