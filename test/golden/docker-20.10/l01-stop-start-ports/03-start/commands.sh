# daemon flags: 
docker start eph
docker start web
