# daemon flags: 
docker stop -t 1 web eph
