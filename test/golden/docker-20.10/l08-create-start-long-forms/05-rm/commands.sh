# daemon flags: 
docker container rm -f web
docker container rm -f db
docker network rm net1
