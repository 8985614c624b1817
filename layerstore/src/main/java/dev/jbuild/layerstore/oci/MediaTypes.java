package dev.jbuild.layerstore.oci;

import java.util.Set;

/** The media types jbuild reads and writes ({@code media-types.md}). */
public final class MediaTypes {
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
  public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
  public static final String OCI_LAYOUT_HEADER = "application/vnd.oci.layout.header.v1+json";

  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_MANIFEST_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  public static final String DOCKER_LAYER_GZIP =
      "application/vnd.docker.image.rootfs.diff.tar.gzip";

  /** Everything a manifest GET should accept; without it docker-registry 2.8 answers 404. */
  public static final String MANIFEST_ACCEPT =
      String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST);

  private static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
  private static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);

  private MediaTypes() {}

  /** True for single-platform image manifests (OCI or Docker schema 2). */
  public static boolean isManifest(String mediaType) {
    return MANIFESTS.contains(mediaType);
  }

  /** True for OCI indexes and Docker manifest lists. */
  public static boolean isIndex(String mediaType) {
    return INDEXES.contains(mediaType);
  }

  /** True for gzip-compressed layer types. */
  public static boolean isGzipLayer(String mediaType) {
    return OCI_LAYER_GZIP.equals(mediaType) || DOCKER_LAYER_GZIP.equals(mediaType);
  }

  /** True for zstd-compressed layer types. */
  public static boolean isZstdLayer(String mediaType) {
    return OCI_LAYER_ZSTD.equals(mediaType);
  }
}
