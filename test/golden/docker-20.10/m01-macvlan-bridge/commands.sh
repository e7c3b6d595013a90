# macvlan (bridge mode) on the docker host's eth0: Docker writes no iptables rules for it, IPAM as
# for a bridge (explicit subnet and gateway, --ip), and -p on a macvlan container publishes nothing
dockerd
# step 01-network
docker network create -d macvlan --subnet 192.168.50.0/24 --gateway 192.168.50.1 -o parent=eth0 mv1
# step 02-run
docker run -d --name m1 --network mv1 nfplay/busybox:latest sleep 1d
docker run -d --name m2 --network mv1 --ip 192.168.50.20 -p 8080:80 nfplay/busybox:latest sleep 1d
