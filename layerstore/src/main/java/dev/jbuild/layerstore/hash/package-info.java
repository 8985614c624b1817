/** Streams that digest what passes through them, and verify it against an expected digest. */
package dev.jbuild.layerstore.hash;
