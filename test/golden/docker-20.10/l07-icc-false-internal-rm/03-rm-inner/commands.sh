# daemon flags: --icc=false
docker network rm inner
