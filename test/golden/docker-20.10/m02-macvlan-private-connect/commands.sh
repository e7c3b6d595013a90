# macvlan in private mode with an automatic subnet (from the same pools as bridges), next to a
# bridge network; then a bridge container with a published port is connected to the macvlan too
dockerd
# step 01-networks
docker network create -d macvlan -o parent=eth0 -o macvlan_mode=private mvp
docker network create nb
# step 02-run
docker run -d --name p1 --network mvp nfplay/busybox:latest sleep 1d
docker run -d --name p2 --network mvp nfplay/busybox:latest sleep 1d
docker run -d --name b1 --network nb -p 8081:80 nfplay/busybox:latest sleep 1d
# step 03-connect
docker network connect mvp b1
