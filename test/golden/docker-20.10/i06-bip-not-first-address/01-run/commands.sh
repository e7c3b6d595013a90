# daemon flags: --bip=10.60.0.100/24 --fixed-cidr=10.60.0.96/27
docker run -d --name c1 -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name c2 nfplay/busybox:latest sleep 1d
