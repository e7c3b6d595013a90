# connect then disconnect a user network, twice; then disconnect the default bridge
dockerd
# step 01-run
docker network create net1
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name other --network net1 nfplay/busybox:latest sleep 1d
# step 02-connect
docker network connect net1 web
# step 03-disconnect
docker network disconnect net1 web
# step 04-connect-again
docker network connect net1 web
# step 05-disconnect-bridge
docker network disconnect bridge web
