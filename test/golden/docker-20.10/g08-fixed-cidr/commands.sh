# daemon --bip with --fixed-cidr: containers get addresses from the sub-range
dockerd --bip=10.201.0.1/16 --fixed-cidr=10.201.5.0/24
# step 01-run
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name client nfplay/busybox:latest sleep 1d
