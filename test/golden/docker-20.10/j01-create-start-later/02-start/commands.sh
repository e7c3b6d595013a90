# daemon flags: 
docker start late
