# macvlan (vepa, --ip-range on the host's own LAN, -P) next to two bridges; connecting a bridge
# container to the macvlan moves its published ports away only when "lan" sorts before its
# bridge network's name (20.10's gateway endpoint); disconnecting brings them back
dockerd --icc=false
# step 01-networks
docker network create -d macvlan --subnet 203.0.113.0/24 --gateway 203.0.113.1 --ip-range 203.0.113.128/25 -o parent=eth0 -o macvlan_mode=vepa lan
docker network create abr
docker network create zbr
# step 02-run
docker run -d --name v1 --network lan -P --expose 80 nfplay/busybox:latest sleep 1d
docker run -d --name v2 --network abr -p 9090:90 nfplay/busybox:latest sleep 1d
docker network connect lan v2
docker run -d --name v3 --network zbr -p 9191:91 nfplay/busybox:latest sleep 1d
docker network connect lan v3
# step 03-disconnect
docker network disconnect lan v3
