# IPv6 on the default bridge: --ipv6 --fixed-cidr-v6, ip6tables (experimental in 20.10), a published port
dockerd --ipv6 --fixed-cidr-v6 fd00:1::/64 --experimental --ip6tables
# step 01-run-publish
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
