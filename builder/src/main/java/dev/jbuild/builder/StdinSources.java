package dev.jbuild.builder;

import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.TempDir;
import dev.jbuild.layerstore.overlay.OverlayFormat;
import dev.jbuild.layerstore.tar.SafeTarExtractor;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code -} as {@code jbuild build}'s context or {@code -f}, as docker reads them: the context
 * {@code -} is a tar (plain or compressed) when standard input starts like one, else a Dockerfile
 * with an empty context; {@code -f -} is the Dockerfile. What stdin held goes to a scratch
 * directory of the store (removed on {@link #close}); a tar is extracted with the layer
 * extractor's rules, so an entry that climbs out ({@code ../x}, through a symlink) is refused.
 *
 * <p>Public so that every caller of the library reads a stdin context as the CLI does (the
 * BuildKit suite's tar-context cases go through it); the caller passes {@link #context()} and
 * {@link #dockerfile()} to {@link BuildRequest} and closes this after the build.
 *
 * @see <a href="https://github.com/docker/cli">docker/cli cli/command/image/build.go</a> (the
 *     same choice between a tar and a Dockerfile on stdin)
 */
public final class StdinSources implements AutoCloseable {
  private final TempDir scratch;
  private final Path context;
  private final Path dockerfile;

  private StdinSources(TempDir scratch, Path context, Path dockerfile) {
    this.scratch = scratch;
    this.context = context;
    this.dockerfile = dockerfile;
  }

  /** True when {@code context} or {@code file} is {@code -}. */
  public static boolean wanted(Path context, Path file) {
    return isStdin(context) || isStdin(file);
  }

  private static boolean isStdin(Path p) {
    return p != null && p.toString().equals("-");
  }

  /**
   * Reads standard input for the context or Dockerfile named {@code -}.
   *
   * @param file {@code -f} as given (null when absent); inside a tar context a relative path
   * @throws IllegalArgumentException when both are {@code -} (docker's wording)
   * @throws IOException when stdin cannot be read or the tar is unsafe or corrupt
   */
  public static StdinSources read(Path context, Path file, LayerStore store, InputStream stdin)
      throws IOException {
    if (isStdin(context) && isStdin(file)) {
      throw new IllegalArgumentException("invalid argument: can't use stdin for both build"
          + " context and dockerfile");
    }
    TempDir scratch = store.newTempDir("stdin-");
    try {
      // The scratch dir holds its lock file: the context and Dockerfile get their own dirs.
      Path ctx = Files.createDirectory(scratch.path().resolve("context"));
      Path dfDir = Files.createDirectory(scratch.path().resolve("dockerfile"));
      BufferedInputStream in = new BufferedInputStream(stdin, 1 << 16);
      if (isStdin(file)) {
        Path df = dfDir.resolve("Dockerfile");
        Files.copy(in, df);
        return new StdinSources(scratch, context, df);
      }
      if (looksLikeArchive(in)) {
        try {
          new SafeTarExtractor(new SafeTarExtractor.Options(SafeTarExtractor.WhiteoutMode.APPLY,
              SafeTarExtractor.DevicePolicy.SKIP, false, OverlayFormat.forCurrentUser()))
              .extract(in, ctx);
        } catch (IOException e) {
          throw new IOException("Tried to read the build context from stdin as a tar but failed"
              + " because: " + e.getMessage(), e);
        }
        Path df = file == null ? null : file.isAbsolute() ? file : ctx.resolve(file);
        return new StdinSources(scratch, ctx, df);
      }
      Path df = dfDir.resolve("Dockerfile");
      Files.copy(in, df);
      return new StdinSources(scratch, ctx, df);
    } catch (IOException | RuntimeException e) {
      scratch.close();
      throw e;
    }
  }

  /**
   * Whether the stream starts as docker's {@code archive.IsArchive} checks: a compression magic
   * (gzip, bzip2, xz, zstd) or a tar header (its {@code ustar} magic, or the all-zero block of an
   * empty tar).
   */
  static boolean looksLikeArchive(BufferedInputStream in) throws IOException {
    in.mark(512);
    byte[] head = in.readNBytes(512);
    in.reset();
    if (startsWith(head, 0x1f, 0x8b) || startsWith(head, 'B', 'Z', 'h')
        || startsWith(head, 0xfd, '7', 'z', 'X', 'Z', 0) || startsWith(head, 0x28, 0xb5, 0x2f, 0xfd)) {
      return true;
    }
    if (head.length < 512) {
      return false;
    }
    if (head[257] == 'u' && head[258] == 's' && head[259] == 't' && head[260] == 'a'
        && head[261] == 'r') {
      return true;
    }
    for (byte b : head) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] head, int... magic) {
    if (head.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((head[i] & 0xff) != magic[i]) {
        return false;
      }
    }
    return true;
  }

  /** The context directory: the extracted tar, an empty dir, or the path given. */
  public Path context() {
    return context;
  }

  /** The Dockerfile, or null for the default ({@code CONTEXT/Dockerfile}). */
  public Path dockerfile() {
    return dockerfile;
  }

  @Override
  public void close() throws IOException {
    scratch.close();
  }
}
