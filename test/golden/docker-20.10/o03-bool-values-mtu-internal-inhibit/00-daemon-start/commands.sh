# daemon flags: --mtu=1400 --userland-proxy-path=/usr/sbin/docker-proxy --network-control-plane-mtu=1400
