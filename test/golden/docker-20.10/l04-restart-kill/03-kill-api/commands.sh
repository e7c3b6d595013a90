# daemon flags: 
docker kill api
