# daemon flags: 
docker container restart -t 1 web api
