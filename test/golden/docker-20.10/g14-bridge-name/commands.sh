# network option com.docker.network.bridge.name
dockerd
# step 01-network-create
docker network create -o com.docker.network.bridge.name=mybr0 named
# step 02-run
docker run -d --name web --network named -p 8080:80 nfplay/busybox:latest sleep 1d
