# daemon flags: 
docker network connect net1 web
docker network connect net2 web
