# daemon flags: --ip-masq=false --userland-proxy=false
