#!/bin/sh
# Prints the greeting; with "serve", serves the page rendered at build time on port 80.
if [ "$1" = serve ]; then
  exec httpd -f -p 80 -h /app/www
fi
echo "<h3>Hello ${NAME:-world}!</h3>"
echo "<b>Hostname:</b> $(hostname)<br/>"
