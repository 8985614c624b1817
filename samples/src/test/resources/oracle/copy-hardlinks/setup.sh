mkdir -p hl/sub
echo shared > hl/a
ln hl/a hl/b
ln hl/a hl/sub/c
echo other > hl/z
