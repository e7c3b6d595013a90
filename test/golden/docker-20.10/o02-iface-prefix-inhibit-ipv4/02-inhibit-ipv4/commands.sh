# daemon flags: 
docker network create -o com.docker.network.bridge.inhibit_ipv4=true net2
docker run -d --name web2 --network net2 -p 9091:91 nfplay/busybox:latest sleep 1d
