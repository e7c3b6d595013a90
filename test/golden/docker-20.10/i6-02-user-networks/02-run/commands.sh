# daemon flags: --ipv6 --fixed-cidr-v6 fd00:1::/64 --experimental --ip6tables
docker run -d --name web --network net6 -p 8081:80 -p 127.0.0.1:8082:82/udp nfplay/busybox:latest sleep 1d
