# daemon flags: --ipv6 --fixed-cidr-v6 fd00:1::/64 --experimental --ip6tables
docker run -d --name web -p 80 -p 9000-9005:90 nfplay/busybox:latest sleep 1d
