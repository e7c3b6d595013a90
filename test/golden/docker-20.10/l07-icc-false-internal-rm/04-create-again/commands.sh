# daemon flags: --icc=false
docker network create --internal inner
docker network create open
docker run -d --name web --network open -p 8080:80 nfplay/busybox:latest sleep 1d
