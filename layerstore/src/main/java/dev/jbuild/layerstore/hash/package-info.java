/**
 * Streams that digest what passes through them, and verify it against an expected digest ({@link
 * dev.jbuild.layerstore.hash.DigestMismatchException} when it differs).
 */
package dev.jbuild.layerstore.hash;
