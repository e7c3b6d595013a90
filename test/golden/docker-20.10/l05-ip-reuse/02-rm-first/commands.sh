# daemon flags: 
docker rm -f c1 n1
