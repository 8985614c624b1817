/**
 * Layer tars: a PAX tar codec that keeps binary xattrs byte-exact ({@link
 * dev.jbuild.layerstore.tar.TarWriter}, {@link dev.jbuild.layerstore.tar.TarReader}), compression
 * detection, and {@link dev.jbuild.layerstore.tar.SafeTarExtractor}.
 */
package dev.jbuild.layerstore.tar;
