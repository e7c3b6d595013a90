# daemon flags: 
docker restart -t 1 web
