# a port published on an IPv6 host address ([::]) and one on IPv4 only (0.0.0.0)
dockerd --ipv6 --fixed-cidr-v6 fd00:1::/64 --experimental --ip6tables
# step 01-run-publish
docker run -d --name web -p [::]:9091:91 -p 0.0.0.0:9092:92 nfplay/busybox:latest sleep 1d
