# daemon flags: 
docker network rm net1
