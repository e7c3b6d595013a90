# the published container leaves its gateway network and only an --internal one is left; then
# it is stopped and started on the internal network alone
dockerd
# step 01-run
docker network create --internal inner
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker network connect inner web
# step 02-disconnect-bridge
docker network disconnect bridge web
# step 03-restart
docker restart -t 1 web
# step 04-connect-bridge-again
docker network connect bridge web
