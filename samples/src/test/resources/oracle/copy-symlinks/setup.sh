mkdir -p links/real
echo target > links/real/file
ln -s real/file links/relative
ln -s /etc/passwd links/absolute
ln -s does-not-exist links/dangling
ln -s . links/self-dir
ln -s real links/dirlink
