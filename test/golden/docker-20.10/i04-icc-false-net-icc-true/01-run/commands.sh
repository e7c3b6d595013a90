# daemon flags: --icc=false
docker network create -o com.docker.network.bridge.enable_icc=true iccnet
docker run -d --name c1 --network iccnet nfplay/busybox:latest sleep 1d
