# dockerd --default-gateway-v6 on an IPv6 docker0: the containers' IPv6 default route goes via
# that address; the ip6tables rules do not change
dockerd --ipv6 --fixed-cidr-v6 fd00:1::/64 --default-gateway-v6 fd00:1::254 --experimental --ip6tables
# step 01-run-publish
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
