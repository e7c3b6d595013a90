# daemon flags: --userland-proxy=false
docker rm -f api
