# daemon flags: --bip=10.200.0.1/24
