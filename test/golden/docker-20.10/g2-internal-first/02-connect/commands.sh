# daemon flags: 
docker network create front
docker network connect front web
