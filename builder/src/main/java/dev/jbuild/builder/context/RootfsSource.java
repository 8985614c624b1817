package dev.jbuild.builder.context;

import dev.jbuild.builder.fs.LayeredRootfs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The root filesystem of a stage or image, for {@code COPY --from}: owners are kept. */
public final class RootfsSource implements FileSource {
  private final LayeredRootfs rootfs;
  private final String description;

  /** Reads from {@code rootfs}; {@code description} names it (stage or image) in messages. */
  public RootfsSource(LayeredRootfs rootfs, String description) {
    this.rootfs = rootfs;
    this.description = description;
  }

  @Override
  public Optional<Path> locate(String rel) throws IOException {
    return rootfs.locate("/" + rel);
  }

  @Override
  public List<String> list(String rel) throws IOException {
    return rootfs.list("/" + rel);
  }

  @Override
  public String resolve(String rel) throws IOException {
    return rootfs.resolve("/" + rel, true).substring(1);
  }

  @Override
  public boolean keepsOwnership() {
    return true;
  }

  @Override
  public String describe() {
    return description;
  }
}
