# daemon flags: 
# host sysctl: net.ipv4.ip_forward=1
