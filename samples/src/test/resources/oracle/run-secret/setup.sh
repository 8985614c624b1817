cat > ../secret.txt <<X
s3cr3t-value
X
