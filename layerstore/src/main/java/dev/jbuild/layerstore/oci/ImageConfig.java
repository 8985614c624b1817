package dev.jbuild.layerstore.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * An image configuration ({@code config.md}) with Docker's extensions. Field names are the wire
 * names; {@link ContainerConfig} holds the run defaults.
 *
 * @param created RFC 3339 creation time, or null
 * @param author the author, or null
 * @param architecture GOARCH, for example {@code amd64}
 * @param os GOOS, for example {@code linux}
 * @param variant the CPU variant, or null
 * @param config the run defaults, or null
 * @param rootfs the layer diff IDs
 * @param history one entry per build step, base first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageConfig(
    @JsonProperty("created") String created,
    @JsonProperty("author") String author,
    @JsonProperty("architecture") String architecture,
    @JsonProperty("os") String os,
    @JsonProperty("variant") String variant,
    @JsonProperty("config") ContainerConfig config,
    @JsonProperty("rootfs") RootFs rootfs,
    @JsonProperty("history") List<History> history) {

  /** Copies. */
  public ImageConfig {
    history = history == null ? List.of() : List.copyOf(history);
    rootfs = rootfs == null ? new RootFs("layers", List.of()) : rootfs;
  }

  /** An empty config for {@code FROM scratch} on {@code platform}. */
  public static ImageConfig scratch(Platform platform) {
    return new ImageConfig(null, null, platform.architecture(), platform.os(), platform.variant(),
        ContainerConfig.EMPTY, new RootFs("layers", List.of()), List.of());
  }

  /** The run defaults, never null. */
  public ContainerConfig containerConfig() {
    return config == null ? ContainerConfig.EMPTY : config;
  }

  /** Returns a copy with {@code newConfig}. */
  public ImageConfig withContainerConfig(ContainerConfig newConfig) {
    return new ImageConfig(created, author, architecture, os, variant, newConfig, rootfs, history);
  }

  /** Returns a copy with {@code newCreated}. */
  public ImageConfig withCreated(String newCreated) {
    return new ImageConfig(newCreated, author, architecture, os, variant, config, rootfs, history);
  }

  /**
   * Returns a copy with one more history entry and, if {@code diffId} is non-null, one more layer.
   */
  public ImageConfig withStep(History entry, Digest diffId) {
    List<History> h = new ArrayList<>(history);
    h.add(entry);
    List<Digest> ids = new ArrayList<>(rootfs.diffIds());
    if (diffId != null) {
      ids.add(diffId);
    }
    return new ImageConfig(created, author, architecture, os, variant, config,
        new RootFs(rootfs.type(), ids), h);
  }

  /**
   * The layer list of an image.
   *
   * @param type always {@code layers}
   * @param diffIds digests of the uncompressed layer tars, base first
   */
  public record RootFs(
      @JsonProperty("type") String type, @JsonProperty("diff_ids") List<Digest> diffIds) {
    /** Copies. */
    public RootFs {
      diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
    }
  }

  /**
   * One history entry; {@code emptyLayer} marks steps without a layer (ENV, CMD…).
   *
   * @param created RFC 3339 time
   * @param author the author, or null
   * @param createdBy the step, for example {@code RUN /bin/sh -c make # buildkit}
   * @param comment a comment, or null
   * @param emptyLayer true when the step added no layer; null is false
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record History(
      @JsonProperty("created") String created,
      @JsonProperty("author") String author,
      @JsonProperty("created_by") String createdBy,
      @JsonProperty("comment") String comment,
      @JsonProperty("empty_layer") Boolean emptyLayer) {

    /** True when the step added no layer. */
    public boolean isEmptyLayer() {
      return Boolean.TRUE.equals(emptyLayer);
    }
  }
}
