/**
 * The one reader of OCI image layouts ({@code oci-layout}, {@code index.json}, {@code
 * blobs/sha256/}): a directory on disk or the blobs of an archive already in the content store.
 * Layouts are untrusted input; see {@link dev.jbuild.layerstore.layout.OciLayoutReader} for the
 * rules.
 */
package dev.jbuild.layerstore.layout;
