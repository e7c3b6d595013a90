# --bip inside the second default pool: the first user network gets 172.17.0.0/16
dockerd --bip=172.18.0.1/16
# step 01-run
docker network create net1
docker network create net2
docker run -d --name c1 --network net1 -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name c2 --network net2 nfplay/busybox:latest sleep 1d
