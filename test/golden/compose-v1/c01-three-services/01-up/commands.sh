# daemon flags: 
docker-compose -p c01 up -d
