# daemon flags: 
iptables --wait -A DOCKER-USER -p tcp --dport 22 -j REJECT
ip6tables -A INPUT -p tcp --dport 23 -j DROP
