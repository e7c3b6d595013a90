# daemon flags: 
docker network disconnect bridge web
docker restart -t 1 web
