# without the userland proxy: hairpin rules across stop / start / rm
dockerd --userland-proxy=false
# step 01-run
docker run -d --name web -p 8080:80 -p 8443:443 nfplay/busybox:latest sleep 1d
docker run -d --name api -p 9000:9000/udp nfplay/busybox:latest sleep 1d
# step 02-stop-web
docker stop -t 1 web
# step 03-start-web
docker start web
# step 04-rm-api
docker rm -f api
