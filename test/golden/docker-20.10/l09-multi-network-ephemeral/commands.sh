# a container on two networks with an ephemeral port: leaving the gateway endpoint (stop,
# disconnect) programs the ports on the next one, which takes a new ephemeral port
dockerd
# step 01-run
docker network create net1
docker run -d --name web -p 9000 nfplay/busybox:latest sleep 1d
docker network connect net1 web
# step 02-stop
docker stop -t 1 web
docker run -d --name other -p 80 nfplay/busybox:latest sleep 1d
# step 03-start
docker start web
# step 04-disconnect-gateway
docker network disconnect bridge web
