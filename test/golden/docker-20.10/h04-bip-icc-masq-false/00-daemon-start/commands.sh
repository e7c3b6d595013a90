# daemon flags: --bip=192.168.77.1/24 --icc=false --ip-masq=false
