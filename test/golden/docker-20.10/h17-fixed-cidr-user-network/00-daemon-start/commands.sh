# daemon flags: --fixed-cidr=172.17.128.0/17
