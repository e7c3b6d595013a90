# daemon flags: 
docker network disconnect bridge web
