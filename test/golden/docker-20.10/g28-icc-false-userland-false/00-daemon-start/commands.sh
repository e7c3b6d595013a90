# daemon flags: --icc=false --userland-proxy=false
