# the Docker docs' DOCKER-USER example among the commands; a later network create keeps the user's rule
dockerd
# step 01-run
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-docker-user
iptables -I DOCKER-USER -i eth0 ! -s 192.168.1.1 -j DROP
# step 03-network-create
docker network create app
docker run -d --name web2 --network app -p 8081:80 nfplay/busybox:latest sleep 1d
# step 04-more-user-rules
iptables --wait -A DOCKER-USER -p tcp --dport 22 -j REJECT
ip6tables -A INPUT -p tcp --dport 23 -j DROP
