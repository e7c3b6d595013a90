# published ports (fixed and ephemeral) across stop / start / rm -f / run again
dockerd
# step 01-run
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name eph -p 9000 -p 9001/udp nfplay/busybox:latest sleep 1d
docker run -d --name db -p 5432:5432 nfplay/busybox:latest sleep 1d
# step 02-stop
docker stop -t 1 web eph
# step 03-start
docker start eph
docker start web
# step 04-rm-web
docker rm -f web
# step 05-run-web-again-restart-eph
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker restart -t 1 eph
