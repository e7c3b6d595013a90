# daemon flags: 
docker network create -d macvlan -o parent=eth0 -o macvlan_mode=private mvp
docker network create nb
