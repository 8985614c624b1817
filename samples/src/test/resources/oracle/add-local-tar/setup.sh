mkdir -p src/d
echo one > src/one; echo two > src/d/two; chmod 0751 src/d; ln -s one src/link
touch -d '2002-03-04 05:06:07' src/one
tar --numeric-owner --owner=1234 --group=5678 -C src -cf plain.tar .
tar --numeric-owner --owner=0 --group=0 -C src -czf gz.tar.gz one d
tar -C src -cjf bz.tar.bz2 d
tar -C src -cJf xz.tar.xz one
cp gz.tar.gz noext
echo not a tar | gzip > notatar.gz
rm -rf src
