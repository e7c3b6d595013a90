# daemon flags: --default-address-pool base=10.10.0.0/16,size=24 --default-address-pool base=10.20.0.0/16,size=26
