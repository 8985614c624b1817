package dev.jbuild.builder;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.plan.NamedContext;
import dev.jbuild.builder.plan.PlanOptions;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.layout.OciLayoutReader;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.ImageIndex;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.Platform;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --build-context NAME=oci-layout://PATH[:TAG|@DIGEST]} contexts of a build, copied
 * into the store before planning so that the planner sees an image stored by digest ({@link
 * NamedContext.Image}); BuildKit reads them from the client's OCI store the same way
 * (testNamedOCILayoutContext). The layout is untrusted input, read by {@link OciLayoutReader}:
 *
 * <ul>
 *   <li>blobs are read only as {@code blobs/sha256/<hex>} of a parsed digest (so no name from
 *       {@code index.json} is ever joined to a path), only sha256, and none of {@code blobs},
 *       {@code blobs/sha256}, a blob or {@code index.json} may be a symbolic link;
 *   <li>every blob is checked against the size and digest that name it (manifests and configs
 *       before they are parsed, layers by the content store as they are copied), and each
 *       layer's DiffID against the config, as a pull checks them;
 *   <li>JSON documents are read only up to {@link #MAX_JSON} bytes.
 * </ul>
 */
final class OciLayoutContexts {
  /** The largest index, manifest or config read into memory. */
  static final int MAX_JSON = OciLayoutReader.MAX_JSON;

  private OciLayoutContexts() {}

  /**
   * {@code options} with each {@link NamedContext.OciLayout} replaced by the image it names,
   * stored (verified) in {@code store} and referred to by manifest digest; the same options when
   * there is none.
   *
   * @throws BuildException one line naming the context, the layout and what is wrong with it
   */
  static PlanOptions resolve(PlanOptions options, LayerStore store) throws BuildException {
    if (options.namedContexts().values().stream()
        .noneMatch(c -> c instanceof NamedContext.OciLayout)) {
      return options;
    }
    Map<String, NamedContext> contexts = new LinkedHashMap<>(options.namedContexts());
    for (Map.Entry<String, NamedContext> e : options.namedContexts().entrySet()) {
      if (e.getValue() instanceof NamedContext.OciLayout layout) {
        Image image;
        try {
          image = importImage(layout, store, options.platform());
        } catch (IOException | RuntimeException ex) {
          throw new BuildException("Tried to read the build context \"" + e.getKey()
              + "\" from the OCI layout " + layout.dir() + " but failed because: "
              + reason(ex), ex);
        }
        contexts.put(e.getKey(), new NamedContext.Image(
            ImageReference.parse("oci-layout@" + image.manifestDigest())));
      }
    }
    return new PlanOptions(options.dockerfileName(), options.target(), options.platform(),
        options.buildArgs(), options.network(), options.noCache(), options.noCacheStages(),
        contexts);
  }

  /** One line: Jackson's messages carry a second line, and wrap the digest's own complaint. */
  private static String reason(Exception e) {
    String message = e.getMessage();
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
      message = j.getCause() instanceof IllegalArgumentException bad ? bad.getMessage()
          : "invalid JSON: " + j.getOriginalMessage();
    }
    return message == null ? e.toString() : message.lines().findFirst().orElse(message);
  }

  /** Copies the image {@code layout} names (for {@code platform}) into the store. */
  static Image importImage(NamedContext.OciLayout layout, LayerStore store, Platform platform)
      throws IOException {
    OciLayoutReader reader = OciLayoutReader.directory(layout.dir(), MAX_JSON);
    Descriptor target = layout.digest() != null ? reader.describe(layout.digest())
        : byTag(reader, layout.tag());
    return reader.importImage(reader.manifestFor(target, platform), store.content(),
        store.images());
  }

  /** The entry of {@code index.json} whose ref name is {@code tag}. */
  private static Descriptor byTag(OciLayoutReader reader, String tag) throws IOException {
    ImageIndex index = reader.index();
    String refName = OciLayoutReader.REF_NAME;
    List<Descriptor> named = index.manifests().stream()
        .filter(d -> tag.equals(d.annotations().get(refName))).toList();
    if (named.size() != 1) {
      List<String> names = index.manifests().stream()
          .map(d -> d.annotations().get(refName)).filter(n -> n != null).toList();
      throw new IOException((named.isEmpty() ? "its index.json names no image " : "its"
          + " index.json names more than one image ") + tag + " (it names " + names + "); give"
          + " oci-layout://PATH:TAG or oci-layout://PATH@sha256:DIGEST");
    }
    return named.get(0);
  }
}
