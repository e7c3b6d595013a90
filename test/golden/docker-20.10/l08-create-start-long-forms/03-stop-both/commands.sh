# daemon flags: 
docker container stop -t 1 web db
docker stop -t 1 db
