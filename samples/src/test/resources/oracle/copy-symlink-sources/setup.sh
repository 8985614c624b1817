mkdir -p real
echo target > real/file
ln -s real/file rel-link
ln -s real linkdir
ln -s real/file linkfile
