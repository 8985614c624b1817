/**
 * The layer store's only native code: a package-private jnr-ffi {@code LibC} behind the {@link
 * dev.jbuild.layerstore.posix.Posix} facade, whose methods take JDK types and throw {@link
 * java.io.IOException} with the errno text.
 */
package dev.jbuild.layerstore.posix;
