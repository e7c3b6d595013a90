# daemon flags: --ip-masq=false
