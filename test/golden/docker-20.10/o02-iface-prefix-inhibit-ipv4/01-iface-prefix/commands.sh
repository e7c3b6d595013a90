# daemon flags: 
docker network create -o com.docker.network.container_iface_prefix=lan net1
docker run -d --name web1 --network net1 -p 9090:90 nfplay/busybox:latest sleep 1d
