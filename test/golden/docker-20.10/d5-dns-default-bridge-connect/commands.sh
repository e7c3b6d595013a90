# embedded DNS: a container on the default bridge gets no resolver and no rules in its netns;
# connecting it to a user-defined network starts the resolver (and writes the rules) then
dockerd
# step 01-default-bridge
docker run -d --name old -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-connect
docker network create app
docker network connect app old
