# daemon flags: --ipv6 --fixed-cidr-v6 fd00:1::/64 --experimental --ip6tables
docker run -d --name web -p [::]:9091:91 -p 0.0.0.0:9092:92 nfplay/busybox:latest sleep 1d
