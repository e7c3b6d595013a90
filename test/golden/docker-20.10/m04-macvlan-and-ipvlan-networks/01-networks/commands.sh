# daemon flags: 
docker network create -d macvlan --subnet 192.168.50.0/24 --gateway 192.168.50.1 -o parent=eth0 mv
docker network create -d ipvlan --subnet 192.168.70.0/24 -o parent=eth0 -o ipvlan_mode=l3 iv
