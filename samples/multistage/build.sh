#!/bin/sh
# The "compile" step: turns words.txt into a compressed report in $1.
set -e
out="$1"
mkdir -p "$out"
{
  echo "word count report"
  echo "words: $(wc -w < words.txt)"
  echo "lines: $(wc -l < words.txt)"
  echo "most frequent:"
  tr -s ' ' '\n' < words.txt | sort | uniq -c | sort -rn | head -3
} > "$out/report.txt"
gzip -9 "$out/report.txt"
