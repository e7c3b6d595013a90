# daemon flags: --icc=false
docker rm -f web
docker network rm open
