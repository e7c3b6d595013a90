# daemon flags: 
docker network create netpub
docker network connect netpub web
