# embedded DNS: containers on a user-defined network get dockerd's resolver (127.0.0.11) and its
# nat DOCKER_OUTPUT/DOCKER_POSTROUTING rules inside their own netns (ctr-<name>-iptables-save.txt)
dockerd
# step 01-one-container
docker network create app
docker run -d --name web --network app -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-two-containers
docker run -d --name db --network app nfplay/busybox:latest sleep 1d
