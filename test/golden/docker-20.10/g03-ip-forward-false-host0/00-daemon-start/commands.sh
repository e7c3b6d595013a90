# daemon flags: --ip-forward=false
# host sysctl: net.ipv4.ip_forward=0
