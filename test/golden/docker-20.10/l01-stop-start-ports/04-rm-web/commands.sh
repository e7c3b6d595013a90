# daemon flags: 
docker rm -f web
