# daemon flags: --bip=10.80.0.1/16 --fixed-cidr=10.80.1.0/24 --icc=false --ip-masq=false --ip=127.0.0.1 --userland-proxy=false
docker run -d --name web -p 8080:80 -p 0.0.0.0:8443:443 nfplay/busybox:latest sleep 1d
docker network create net1
docker run -d --name web1 --network net1 -p 9090:90 nfplay/busybox:latest sleep 1d
