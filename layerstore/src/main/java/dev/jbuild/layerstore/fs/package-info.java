/** File tree helpers: recursive delete that never follows symlinks, file locks, atomic writes. */
package dev.jbuild.layerstore.fs;
