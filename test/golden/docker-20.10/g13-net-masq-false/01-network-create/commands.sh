# daemon flags: 
docker network create -o com.docker.network.bridge.enable_ip_masquerade=false nomasq
