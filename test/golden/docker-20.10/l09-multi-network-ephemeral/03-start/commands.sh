# daemon flags: 
docker start web
