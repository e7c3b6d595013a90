# daemon flags: --userland-proxy=false
docker start web
