# daemon flags: 
docker network disconnect net1 web
