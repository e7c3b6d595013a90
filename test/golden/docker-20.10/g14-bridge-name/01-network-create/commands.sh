# daemon flags: 
docker network create -o com.docker.network.bridge.name=mybr0 named
