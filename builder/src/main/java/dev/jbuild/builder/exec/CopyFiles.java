package dev.jbuild.builder.exec;

import dev.jbuild.builder.context.DirectorySource;
import dev.jbuild.builder.context.ExcludingSource;
import dev.jbuild.builder.context.FileSource;
import dev.jbuild.builder.context.TreeCopier;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.fs.FileAttrs;
import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.fs.UpperDirWriter;
import dev.jbuild.builder.plan.CopyFilesStep;
import dev.jbuild.builder.plan.FileOrigin;
import dev.jbuild.builder.plan.InlineFile;
import dev.jbuild.layerstore.fs.Trees;
import dev.jbuild.parser.ignore.DockerIgnore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a planned COPY or ADD: sources from the build context, another stage or an image,
 * here-documents, and for ADD also URLs (fetched when the cache key is computed: their content
 * decides, as in BuildKit) and local archives (extracted); {@code --chown}, {@code --chmod},
 * {@code --link}, {@code --parents} and {@code --exclude}.
 */
final class CopyFiles implements FilesystemStep {
  private final CopyFilesStep step;
  private final BuildEnvironment env;
  private final Origins origins;
  private FileSource source;
  private TreeCopier copier;
  private Path downloads;
  private final List<Downloads.Download> downloaded = new ArrayList<>();

  CopyFiles(CopyFilesStep step, BuildEnvironment env, Origins origins) {
    this.step = step;
    this.env = env;
    this.origins = origins;
  }

  private BuildException located(String message, Throwable cause) {
    return StepErrors.located(env.options(), step.header(), message, cause);
  }

  @Override
  public boolean independentOfLower() {
    return step.independentOfLower();
  }

  private FileSource source() throws Exception {
    if (source == null) {
      source = origins.open(step.origin());
      if (step.parents() && exclude() != null) {
        // --parents keeps paths from the source root: the patterns are matched from there.
        source = new ExcludingSource(source, exclude());
      }
    }
    return source;
  }

  /** The {@code --exclude} patterns, or null. */
  private DockerIgnore exclude() throws BuildException {
    if (step.excludes().isEmpty()) {
      return null;
    }
    try {
      return DockerIgnore.of(step.excludes());
    } catch (IllegalArgumentException e) {
      throw located("--exclude: " + e.getMessage(), e);
    }
  }

  /**
   * A copier of the step's sources; without {@code --parents} the excludes apply inside each
   * source, relative to it (testExcludedFilesOnCopy: {@code ADD --exclude=*.mp3 dir3/ /3/}).
   */
  private TreeCopier copier() throws Exception {
    if (copier == null) {
      // One copier for the key and the copy: the copy reuses what the checksum stat'ed.
      TreeCopier fresh = new TreeCopier(source(), env.checksums());
      copier = step.parents() || exclude() == null ? fresh : fresh.excluding(exclude());
    }
    return copier;
  }

  @Override
  public String cacheKey() throws Exception {
    StringBuilder sb = new StringBuilder(keyText());
    if (!step.sources().isEmpty()) {
      sb.append("content ").append(copier().checksum(step.sources(), step.parents()))
          .append('\n');
    }
    for (String url : step.urls()) {
      // The content decides, as in BuildKit: fetch now, reuse the file when applying.
      if (downloads == null) {
        downloads = Files.createTempDirectory(env.store().tmp(), "add-");
      }
      Downloads.Download d = Downloads.fetch(url, downloads, step.checksum());
      downloaded.add(d);
      sb.append("url ").append(url).append(' ').append(d.sha256()).append('\n');
    }
    return sb.toString();
  }

  /**
   * The plan's key text; with {@code --chmod}, marked with the rule for created directories, so
   * that layers cached before they got the chmod's mode (and before archives ignored it) are not
   * reused for the same step.
   */
  private String keyText() {
    return step.chmod() == null ? step.cacheKey()
        : step.cacheKey() + "chmod created-dirs archives-ignore\n";
  }

  /** For {@code COPY --from=STAGE} without URLs: the static key plus the stage's ChainID. */
  @Override
  public java.util.Optional<String> chainCacheKey() throws Exception {
    if (!(step.origin() instanceof dev.jbuild.builder.plan.FileOrigin.Stage stage)
        || !step.urls().isEmpty()) {
      return java.util.Optional.empty();
    }
    List<dev.jbuild.layerstore.content.Layer> layers = origins.stageLayers(stage);
    return java.util.Optional.of(keyText() + "source chain " + (layers.isEmpty() ? "scratch"
        : dev.jbuild.layerstore.snapshot.ChainIds.top(
            layers.stream().map(dev.jbuild.layerstore.content.Layer::diffId).toList())) + "\n");
  }

  @Override
  public void apply(Workspace ws) throws Exception {
    try {
      UpperDirWriter writer = new UpperDirWriter(ws.scratch().upperDir(), ws.lower());
      int[] owner = step.chown() == null ? null
          : Ownership.resolve(step.chown(), ws.lower());
      FileAttrs newDir = TreeCopier.newDirectory(owner, step.chmod());
      int count = step.sources().size() + step.inlineFiles().size() + step.urls().size();
      String dest = step.destination();
      if (count > 1 && !dest.endsWith("/")) {
        throw located("When using " + step.keyword() + " with more than one source"
            + " file, the destination must be a directory and end with a /", null);
      }
      if (!step.sources().isEmpty()) {
        copySources(writer, dest, owner);
      }
      for (InlineFile h : step.inlineFiles()) {
        String target = dest.endsWith("/") ? dest + h.name() : dest;
        writeFile(writer, target, h.content().getBytes(StandardCharsets.UTF_8), 0644, owner,
            newDir);
      }
      for (Downloads.Download d : downloaded) {
        if (step.unpackUrls() && Archives.isArchive(d.file())) {
          extract(d.file(), d.name(), dest, writer, owner);
          continue;
        }
        String target = dest.endsWith("/") ? dest + d.name() : dest;
        Path host = writer.prepareEntry(writer.lower().resolve(target, true), false, newDir);
        Files.copy(d.file(), host);
        FileAttrs attrs = FileAttrs.read(d.file()).withOwner(owner == null ? 0 : owner[0],
            owner == null ? 0 : owner[1]);
        (step.chmod() == null ? attrs
            : attrs.withMode(step.chmod().apply(attrs.mode(), false))).apply(host);
      }
    } finally {
      if (downloads != null) {
        Trees.deleteRecursively(downloads);
      }
    }
  }

  private void copySources(UpperDirWriter writer, String dest, int[] owner) throws Exception {
    FileSource src = source();
    TreeCopier copier = copier();
    List<String> plain = new ArrayList<>();
    boolean unpack = step.unpackLocal() && step.origin() instanceof FileOrigin.Context;
    for (String raw : step.sources()) {
      // A wildcard is expanded first, so that ADD *.tar extracts each archive it matches.
      List<String> matches = unpack ? copier.expand(List.of(raw)) : List.of(raw);
      for (String s : matches) {
        Optional<Path> local = unpack
            ? src.locate(src.resolve(String.join("/", LayeredRootfs.split(s)))) : Optional.empty();
        if (local.isPresent() && Archives.isArchive(local.get())) {
          extract(local.get(), s, dest, writer, owner);
        } else {
          plain.add(s);
        }
      }
    }
    if (!plain.isEmpty()) {
      copier.copy(plain, dest, writer, owner, step.chmod(), step.parents());
    }
  }

  /**
   * Extracts a local archive into the destination directory, keeping its owners, through the
   * symlinks the destination has (as BuildKit's unpack does, resolved inside the rootfs).
   * {@code --chmod} does not apply: BuildKit's unpack (solver/llbsolver/file/unpack.go, 0.8 and
   * current) creates the destination 0755 and keeps the archive's modes.
   */
  private void extract(Path archive, String name, String dest, UpperDirWriter writer,
      int[] owner) throws Exception {
    Path tmp = Files.createTempDirectory(env.store().tmp(), "unpack-");
    try {
      Archives.extract(archive, tmp);
      new TreeCopier(DirectorySource.of(tmp, true, "archive " + name), env.checksums())
          .throughDestinationSymlinks().copy(List.of("."), dest.endsWith("/") ? dest : dest + "/",
              writer, owner, null, false);
    } finally {
      Trees.deleteRecursively(tmp);
    }
  }

  private void writeFile(UpperDirWriter writer, String target, byte[] bytes, int mode,
      int[] owner, FileAttrs newDir) throws Exception {
    String resolved = writer.lower().resolve(target, true);
    Path host = writer.prepareEntry(resolved, false, newDir);
    Files.write(host, bytes);
    int m = step.chmod() == null ? mode : step.chmod().apply(mode, false);
    FileAttrs attrs = FileAttrs.read(host).withOwner(owner == null ? 0 : owner[0],
        owner == null ? 0 : owner[1]).withMode(m);
    new FileAttrs(attrs.uid(), attrs.gid(), attrs.mode(), null).apply(host);
  }
}
