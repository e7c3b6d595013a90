# daemon flags: --ipv6 --fixed-cidr-v6 fd00:1::/64 --default-gateway-v6 fd00:1::254 --experimental --ip6tables
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
