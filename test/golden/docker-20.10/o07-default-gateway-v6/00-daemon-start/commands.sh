# daemon flags: --ipv6 --fixed-cidr-v6 fd00:1::/64 --default-gateway-v6 fd00:1::254 --experimental --ip6tables
