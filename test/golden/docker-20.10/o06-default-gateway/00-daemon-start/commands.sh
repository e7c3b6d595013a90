# daemon flags: --default-gateway=172.17.0.254
