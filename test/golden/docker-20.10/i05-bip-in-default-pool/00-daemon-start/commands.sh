# daemon flags: --bip=172.18.0.1/16
