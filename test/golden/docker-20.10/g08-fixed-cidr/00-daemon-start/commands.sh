# daemon flags: --bip=10.201.0.1/16 --fixed-cidr=10.201.5.0/24
