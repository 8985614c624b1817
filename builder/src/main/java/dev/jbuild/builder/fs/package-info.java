/**
 * The container filesystem as the builder sees it between RUN steps: a read-only view of the
 * stacked snapshot directories ({@link dev.jbuild.builder.fs.LayeredRootfs}) and writes into a
 * fresh overlay upperdir that follow overlayfs' copy-up rules ({@link
 * dev.jbuild.builder.fs.UpperDirWriter}), so that COPY, ADD and WORKDIR produce their layers through
 * the same differ as RUN.
 */
package dev.jbuild.builder.fs;
