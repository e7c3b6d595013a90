# embedded DNS: the resolver's rules in the container netns do not depend on --iptables (dockerd's
# resolver writes them itself), and a container on an --internal network gets them too
dockerd --iptables=false
# step 01-run
docker network create app
docker run -d --name web --network app nfplay/busybox:latest sleep 1d
# step 02-internal
docker network create --internal priv
docker run -d --name vault --network priv nfplay/busybox:latest sleep 1d
