# daemon flags: 
docker network create alpha
docker network connect alpha web
