# daemon flags: 
docker network disconnect -f net1 web
docker container start db web
