# daemon flags: 
docker network create net3
