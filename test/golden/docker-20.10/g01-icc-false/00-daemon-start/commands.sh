# daemon flags: --icc=false
