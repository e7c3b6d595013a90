# --bip with a gateway that is not the first address, and --fixed-cidr
dockerd --bip=10.60.0.100/24 --fixed-cidr=10.60.0.96/27
# step 01-run
docker run -d --name c1 -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name c2 nfplay/busybox:latest sleep 1d
