# daemon flags: 
docker network rm fixed net2
