# daemon flags: 
iptables -I DOCKER-USER -i eth0 ! -s 192.168.1.1 -j DROP
