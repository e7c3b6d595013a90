# daemon flags: 
docker network create -o com.docker.network.bridge.host_binding_ipv4=127.0.0.1 lonet
