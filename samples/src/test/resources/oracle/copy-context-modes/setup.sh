mkdir -p modes/sticky modes/private modes/sgid
echo s > modes/setuid; chmod 4755 modes/setuid
echo g > modes/setgid; chmod 2711 modes/setgid
echo r > modes/readonly; chmod 0400 modes/readonly
echo x > modes/exec; chmod 0751 modes/exec
chmod 1777 modes/sticky; chmod 0700 modes/private; chmod 2775 modes/sgid
echo p > modes/private/p; chmod 0600 modes/private/p
echo o > owned.txt; chown 1234:5678 owned.txt
cp modes/setuid setuid; chmod 4711 setuid
touch -d '2001-02-03 04:05:06' modes/exec
