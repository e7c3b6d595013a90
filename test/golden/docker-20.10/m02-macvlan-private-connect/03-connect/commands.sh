# daemon flags: 
docker network connect mvp b1
