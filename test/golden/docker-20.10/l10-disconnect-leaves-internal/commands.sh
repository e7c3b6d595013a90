# the published container leaves its gateway network and only an --internal one is left (its
# rules go, none come back: Docker does not map ports on an internal network), then restarts;
# one step, because right after the disconnect `docker inspect` still reports the old binding
# (NetworkSettings.Ports is refreshed at the next start) while no rule exists
dockerd
# step 01-run
docker network create --internal inner
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker network connect inner web
# step 02-disconnect-bridge-restart
docker network disconnect bridge web
docker restart -t 1 web
# step 03-connect-bridge-again
docker network connect bridge web
