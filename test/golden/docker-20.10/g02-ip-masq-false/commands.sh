# daemon --ip-masq=false: no MASQUERADE for the default bridge (user networks keep theirs)
dockerd --ip-masq=false
# step 01-run-publish
docker run -d --name web -p 8080:80 nfplay/busybox:latest sleep 1d
# step 02-user-network
docker network create net1
docker run -d --name web1 --network net1 -p 8081:80 nfplay/busybox:latest sleep 1d
