# ephemeral host ports and a host port range for a container with IPv6: the "::" twin of each binding
dockerd --ipv6 --fixed-cidr-v6 fd00:1::/64 --experimental --ip6tables
# step 01-run
docker run -d --name web -p 80 -p 9000-9005:90 nfplay/busybox:latest sleep 1d
# step 02-second
docker run -d --name web2 -p 80 -p 9000-9005:90 nfplay/busybox:latest sleep 1d
