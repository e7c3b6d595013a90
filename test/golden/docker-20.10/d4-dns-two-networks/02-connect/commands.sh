# daemon flags: 
docker network connect back web
