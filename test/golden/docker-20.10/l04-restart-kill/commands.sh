# restart, kill and start on a user network with published ports
dockerd
# step 01-run
docker network create app
docker run -d --name web --network app -p 8080:80 -p 127.0.0.1:5353:53/udp nfplay/busybox:latest sleep 1d
docker run -d --name api --network app -p 9000-9001:9000-9001 nfplay/busybox:latest sleep 1d
# step 02-restart-web
docker restart -t 1 web
# step 03-kill-api
docker kill api
# step 04-start-api
docker start api
# step 05-container-restart
docker container restart -t 1 web api
