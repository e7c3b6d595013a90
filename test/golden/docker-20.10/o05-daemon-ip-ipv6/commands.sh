# dockerd --ip with an IPv6 address: -p bindings without a host address on docker0 bind ::1
# only (no IPv4 binding, no iptables rule: docker-proxy alone serves the IPv4-only container);
# a user network keeps 0.0.0.0 and ::
dockerd --ip=::1
# step 01-run-publish
docker run -d --name web -p 8080:80 -p 127.0.0.1:8081:81 --expose 7000 -P nfplay/busybox:latest sleep 1d
# step 02-user-network
docker network create net1
docker run -d --name web1 --network net1 -p 9090:90 nfplay/busybox:latest sleep 1d
