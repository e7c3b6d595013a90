# daemon flags: --ip=127.0.0.1 --userland-proxy=false
