package dev.jbuild.registry;

/**
 * How {@link ImagePusher} sends a top-level OCI image index: buildx's {@code oci-mediatypes}
 * exporter option, plus the default that tries the OCI index first. Image manifests and Docker
 * manifest lists are always sent byte for byte as given.
 */
public enum IndexFormat {
  /**
   * The OCI index as given; a registry that refuses it fails the push ({@code
   * oci-mediatypes=true}).
   */
  OCI,
  /**
   * The OCI index; when the registry refuses its media type ({@code 415}, or {@code 400} with
   * {@code MANIFEST_INVALID} or {@code UNSUPPORTED}: older Harbor, Quay and ECR setups), the same
   * entries as a Docker manifest list, with one {@link ProgressListener#warning}. The default.
   */
  OCI_ELSE_DOCKER_LIST,
  /**
   * The same entries as a Docker manifest list; the OCI index is never sent ({@code
   * oci-mediatypes=false}).
   */
  DOCKER_LIST
}
