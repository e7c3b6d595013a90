# daemon flags: --icc=false
docker network disconnect lan v3
