# daemon flags: 
docker network create net1
docker network connect net1 web
