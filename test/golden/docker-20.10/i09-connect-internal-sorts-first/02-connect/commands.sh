# daemon flags: 
docker network connect aint web
