# daemon flags: 
docker network create --internal netint
docker network create netpub
