# daemon flags: 
docker network connect bridge web
