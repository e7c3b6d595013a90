# daemon flags: --userland-proxy=false
docker network create alpha
docker network connect alpha web
