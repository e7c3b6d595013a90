# daemon flags: --experimental --ip6tables
