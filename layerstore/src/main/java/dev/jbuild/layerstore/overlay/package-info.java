/**
 * The overlayfs on-disk format in one place: whiteouts, opaque directories, the overlay xattrs and
 * their namespace ({@code trusted.} for root stores, {@code user.} for rootless/userxattr ones),
 * and the OCI layer names ({@code .wh.}, {@code .wh..wh..opq}) they convert to and from.
 */
package dev.jbuild.layerstore.overlay;
