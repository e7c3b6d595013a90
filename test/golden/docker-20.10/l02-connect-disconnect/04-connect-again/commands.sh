# daemon flags: 
docker network connect net1 web
