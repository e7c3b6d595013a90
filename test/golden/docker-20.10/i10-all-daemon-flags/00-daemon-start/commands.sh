# daemon flags: --bip=10.80.0.1/16 --fixed-cidr=10.80.1.0/24 --icc=false --ip-masq=false --ip=127.0.0.1 --userland-proxy=false
