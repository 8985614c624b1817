package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageManifest;

/**
 * What {@link ImagePuller#pull} fetched.
 *
 * @param manifestDigest the digest of the platform's image manifest
 * @param manifestBytes that manifest's exact bytes
 * @param mediaType its media type
 * @param manifest the parsed manifest
 * @param configBytes the exact bytes of the config blob
 * @param indexDigest the digest of the index the manifest was selected from, or null when the
 *     reference named the image manifest directly; this is what Docker records as the repo digest
 * @param blobsPulled blobs (config and layers) written to the sink
 * @param blobsSkipped blobs the sink already contained
 */
public record PullResult(
    Digest manifestDigest,
    byte[] manifestBytes,
    String mediaType,
    ImageManifest manifest,
    byte[] configBytes,
    Digest indexDigest,
    int blobsPulled,
    int blobsSkipped) {}
