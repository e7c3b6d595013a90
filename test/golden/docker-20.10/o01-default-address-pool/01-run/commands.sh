# daemon flags: --default-address-pool base=10.10.0.0/16,size=24 --default-address-pool base=10.20.0.0/16,size=26
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
