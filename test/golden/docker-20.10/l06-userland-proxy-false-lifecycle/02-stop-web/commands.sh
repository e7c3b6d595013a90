# daemon flags: --userland-proxy=false
docker stop -t 1 web
