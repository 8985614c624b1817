cp /bin/busybox caps
setcap cap_net_raw,cap_net_bind_service+ep caps
echo u > user-xattr
setfattr -n user.origin -v context user-xattr
mkdir -p xdir
echo d > xdir/f
setfattr -n user.dir -v on-a-dir xdir
setfattr -n user.file -v "with space" xdir/f
mkdir -p tarsrc
cp caps tarsrc/caps-in-tar
echo t > tarsrc/t
setfattr -n user.intar -v yes tarsrc/t
tar --xattrs --xattrs-include='*' -C tarsrc -cf with-xattrs.tar .
rm -rf tarsrc
