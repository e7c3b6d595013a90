# docker-compose v1 (Debian 1.29.2) up against the 20.10 daemon: compared with nfplay's compose
# import (Compose v2 naming: containers c01-web-1 where v1 says c01_web_1; networks c01_back alike)
dockerd
# step 01-up
docker-compose -p c01 up -d
