FROM localbase/busybox:1
COPY . /ctx/
LABEL via=custom-file
