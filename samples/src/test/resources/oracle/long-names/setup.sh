n100=$(printf 'n%.0s' $(seq 1 101))
n150=$(printf 'm%.0s' $(seq 1 150))
mkdir -p "long/$n100/$n150"
echo a > "long/$n100/$n150/$(printf 'x%.0s' $(seq 1 200))"
echo b > "long/$(printf 'y%.0s' $(seq 1 99))"
ln -s "$n100/$n150/$(printf 'x%.0s' $(seq 1 200))" long/longlink
ln "long/$(printf 'y%.0s' $(seq 1 99))" "long/$n100/hard-$(printf 'z%.0s' $(seq 1 120))"
