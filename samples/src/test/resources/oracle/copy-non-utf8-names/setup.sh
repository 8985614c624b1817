# Names that are not valid UTF-8 (Latin-1 bytes 0xe8, 0xe9, and 0xff), which Linux allows and
# BuildKit copies, diffs and tars byte for byte; git cannot hold them portably.
mkdir names
printf latin > "names/$(printf 'caf\351')"
printf other > "names/$(printf 'caf\350')"
mkdir "names/$(printf 'd\377')"
printf in > "names/$(printf 'd\377')/inner"
ln -s "$(printf '\351t')" names/link
