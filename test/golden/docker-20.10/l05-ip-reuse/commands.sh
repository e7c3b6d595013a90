# the first container is removed and a new one takes its address (default bridge and user network)
dockerd
# step 01-run
docker network create net1
docker run -d --name c1 nfplay/busybox:latest sleep 1d
docker run -d --name c2 nfplay/busybox:latest sleep 1d
docker run -d --name n1 --network net1 nfplay/busybox:latest sleep 1d
docker run -d --name n2 --network net1 nfplay/busybox:latest sleep 1d
# step 02-rm-first
docker rm -f c1 n1
# step 03-run-new
docker run -d --name c3 -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name n3 --network net1 nfplay/busybox:latest sleep 1d
# step 04-stop-start
docker stop -t 1 c2
docker run -d --name c4 nfplay/busybox:latest sleep 1d
docker start c2
