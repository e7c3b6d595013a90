# daemon flags: 
docker start api
