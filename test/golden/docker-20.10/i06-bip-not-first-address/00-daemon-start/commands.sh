# daemon flags: --bip=10.60.0.100/24 --fixed-cidr=10.60.0.96/27
