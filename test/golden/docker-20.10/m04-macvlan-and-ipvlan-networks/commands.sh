# a macvlan and an ipvlan network on the same parent (each driver only refuses a second network of
# its own there), with no rules; an ipvlan container cannot run on this capture kernel (no
# CONFIG_IPVLAN: "failed to create the ipvlan port: operation not supported"), so none is started
dockerd
# step 01-networks
docker network create -d macvlan --subnet 192.168.50.0/24 --gateway 192.168.50.1 -o parent=eth0 mv
docker network create -d ipvlan --subnet 192.168.70.0/24 -o parent=eth0 -o ipvlan_mode=l3 iv
# step 02-run
docker run -d --name m1 --network mv nfplay/busybox:latest sleep 1d
