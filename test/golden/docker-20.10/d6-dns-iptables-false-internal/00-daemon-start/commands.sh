# daemon flags: --iptables=false
