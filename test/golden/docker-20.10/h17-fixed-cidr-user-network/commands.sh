# --fixed-cidr on the default bridge does not change a user network
dockerd --fixed-cidr=172.17.128.0/17
# step 01-run
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker network create net1
docker run -d --name web1 --network net1 nfplay/busybox:latest sleep 1d
