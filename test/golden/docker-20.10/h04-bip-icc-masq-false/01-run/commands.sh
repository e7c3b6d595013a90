# daemon flags: --bip=192.168.77.1/24 --icc=false --ip-masq=false
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
docker run -d --name client nfplay/busybox:latest sleep 1d
