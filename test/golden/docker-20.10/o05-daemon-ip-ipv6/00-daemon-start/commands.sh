# daemon flags: --ip=::1
