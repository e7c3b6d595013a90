# daemon flags: 
docker run -d --name i1 --network netint nfplay/busybox:latest sleep 1d
docker run -d --name p1 --network netpub -p 8080:80 nfplay/busybox:latest sleep 1d
