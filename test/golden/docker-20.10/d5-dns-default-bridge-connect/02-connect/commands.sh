# daemon flags: 
docker network create app
docker network connect app old
