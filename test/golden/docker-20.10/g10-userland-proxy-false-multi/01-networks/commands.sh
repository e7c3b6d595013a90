# daemon flags: --userland-proxy=false
docker network create net1
docker network create net2
