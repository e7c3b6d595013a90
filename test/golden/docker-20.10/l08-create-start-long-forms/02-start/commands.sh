# daemon flags: 
docker container start web
docker network connect net1 web
