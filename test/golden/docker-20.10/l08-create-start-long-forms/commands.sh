# docker create / start, the container/network long forms, disconnect -f, stop of a stopped container
dockerd
# step 01-create
docker network create net1
docker container create --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker container run -d --name db --network net1 nfplay/busybox:latest sleep 1d
# step 02-start
docker container start web
docker network connect net1 web
# step 03-stop-both
docker container stop -t 1 web db
docker stop -t 1 db
# step 04-disconnect-stopped
docker network disconnect -f net1 web
docker container start db web
# step 05-rm
docker container rm -f web
docker container rm -f db
docker network rm net1
