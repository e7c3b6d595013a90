# daemon flags: --ip-forward=false --userland-proxy=false
