# daemon flags: --experimental --ip6tables
docker run -d --name web6 --network v6net -p 8085:85 nfplay/busybox:latest sleep 1d
docker run -d --name web4 --network plain -p 8086:86 nfplay/busybox:latest sleep 1d
