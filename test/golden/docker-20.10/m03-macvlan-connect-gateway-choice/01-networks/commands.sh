# daemon flags: --icc=false
docker network create -d macvlan --subnet 203.0.113.0/24 --gateway 203.0.113.1 --ip-range 203.0.113.128/25 -o parent=eth0 -o macvlan_mode=vepa lan
docker network create abr
docker network create zbr
