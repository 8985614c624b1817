package dev.jbuild.builder.exec;

import dev.jbuild.builder.context.Chmod;
import dev.jbuild.builder.context.DirectorySource;
import dev.jbuild.builder.context.ExcludingSource;
import dev.jbuild.builder.context.FileSource;
import dev.jbuild.builder.context.RootfsSource;
import dev.jbuild.builder.context.TreeCopier;
import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.fs.FileAttrs;
import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.fs.UpperDirWriter;
import dev.jbuild.layerstore.fs.Trees;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.parser.ast.Flag;
import dev.jbuild.parser.ast.Heredoc;
import dev.jbuild.parser.ast.Instruction;
import dev.jbuild.parser.ignore.DockerIgnore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * COPY and ADD: sources from the build context, another stage or an image ({@code --from}),
 * here-documents, and for ADD also URLs and local archives (extracted); {@code --chown},
 * {@code --chmod} (octal or symbolic), {@code --link} and {@code --parents}.
 */
final class CopyInstruction implements FilesystemStep {
  private final StageExecutor exec;
  private final Instruction instruction;
  private final boolean add;
  private final String keyword;
  private final List<String> rawSources;
  private final String rawDest;
  private final String destination;
  private final String expandedDest;
  private final List<String> sources = new ArrayList<>();
  private final List<Heredoc> heredocSources = new ArrayList<>();
  private final List<String> urls = new ArrayList<>();
  private final Map<String, String> vars;
  private String chown;
  private Chmod chmod;
  private boolean link;
  private boolean parents;
  private String checksum;
  private String from;
  private final List<String> excludes = new ArrayList<>();
  private FileSource source;
  private Path downloads;
  private final List<Downloads.Download> downloaded = new ArrayList<>();

  CopyInstruction(StageExecutor exec, StageState state, Instruction instruction,
      List<String> rawSources, String rawDest, List<Heredoc> heredocs, boolean add)
      throws BuildException {
    this.exec = exec;
    this.instruction = instruction;
    this.add = add;
    this.keyword = add ? "ADD" : "COPY";
    this.rawSources = rawSources;
    this.rawDest = rawDest;
    this.vars = state.expansionVars();
    for (Flag f : instruction.flags()) {
      String value = f.value() == null ? null : exec.expand(f.value(), vars, instruction);
      switch (f.name()) {
        case "chown" -> chown = value;
        case "chmod" -> {
          try {
            chmod = Chmod.parse(value);
          } catch (IllegalArgumentException e) {
            throw exec.located(instruction, e.getMessage(), e);
          }
        }
        case "link" -> link = value == null || !value.equals("false");
        case "parents" -> parents = value == null || !value.equals("false");
        case "from" -> from = value;
        case "checksum" -> checksum = value;
        case "exclude" -> excludes.add(value);
        case "keep-git-dir" -> {
          // Git sources are not supported, so there is no .git to keep.
        }
        default -> throw exec.located(instruction, keyword + " " + f + " is not supported yet",
            null);
      }
    }
    int heredocIndex = 0;
    for (String raw : rawSources) {
      if (raw.startsWith("<<") && heredocIndex < heredocs.size()) {
        heredocSources.add(heredocs.get(heredocIndex++));
        continue;
      }
      String s = exec.expand(raw, vars, instruction);
      if (s.startsWith("http://") || s.startsWith("https://")) {
        if (!add) {
          throw exec.located(instruction, "source can't be a URL for COPY", null);
        }
        urls.add(s);
      } else if (add && (s.startsWith("git@") || s.endsWith(".git"))) {
        throw exec.located(instruction, "ADD from a git repository is not supported yet", null);
      } else {
        sources.add(s);
      }
    }
    if (checksum != null && urls.isEmpty()) {
      throw exec.located(instruction, "checksum can't be specified for non-HTTP(S) sources",
          null);
    }
    String dest = exec.expand(rawDest, vars, instruction);
    this.expandedDest = dest;
    String abs = StageExecutor.absolute(state.workingDir(), dest);
    boolean dirDest = dest.endsWith("/") || dest.endsWith("/.") || dest.equals(".");
    this.destination = dirDest && !abs.endsWith("/") ? abs + "/" : abs;
  }

  /**
   * BuildKit's history text: {@code COPY src… <<HEREDOC… dest # buildkit}, expanded, flags left
   * out.
   */
  String createdBy() {
    StringBuilder sb = new StringBuilder(keyword);
    for (String u : urls) {
      sb.append(' ').append(u);
    }
    for (String src : sources) {
      sb.append(' ').append(src);
    }
    for (Heredoc h : heredocSources) {
      sb.append(" <<").append(h.name());
    }
    return sb.append(' ').append(expandedDest).append(" # buildkit").toString();
  }

  @Override
  public boolean independentOfLower() {
    // BuildKit quirk: --link is ignored when --chmod is set.
    return link && chmod == null;
  }

  private FileSource source() throws Exception {
    if (source == null) {
      if (from == null) {
        source = exec.env().context();
      } else {
        int stage = exec.plan().stageIndex(from, Integer.MAX_VALUE);
        source = stage >= 0
            ? new RootfsSource(exec.rootfsOf(exec.stages().await(stage).layers()), "stage " + from)
            : new RootfsSource(exec.rootfsOf(exec.resolveImage(from, instruction).layers()),
                "image " + from);
      }
      if (!excludes.isEmpty()) {
        try {
          source = new ExcludingSource(source, DockerIgnore.of(excludes));
        } catch (IllegalArgumentException e) {
          throw exec.located(instruction, "--exclude: " + e.getMessage(), e);
        }
      }
    }
    return source;
  }

  @Override
  public String cacheKey() throws Exception {
    StringBuilder sb = new StringBuilder(keyword).append('\n');
    if (!sources.isEmpty()) {
      sb.append("from ").append(source().describe()).append('\n');
      sb.append("content ").append(new TreeCopier(source(), exec.env().checksums())
          .checksum(sources)).append('\n');
    }
    for (Heredoc h : heredocSources) {
      sb.append("heredoc ").append(h.name()).append(' ').append(Digest.sha256(content(h)))
          .append('\n');
    }
    for (String url : urls) {
      // The content decides, as in BuildKit: fetch now, reuse the file when applying.
      if (downloads == null) {
        downloads = Files.createTempDirectory(exec.env().store().tmp(), "add-");
      }
      Downloads.Download d = Downloads.fetch(url, downloads, checksum);
      downloaded.add(d);
      sb.append("url ").append(url).append(' ').append(d.sha256()).append('\n');
    }
    sb.append("dest ").append(destination).append("\nchown ").append(chown)
        .append("\nchmod ").append(chmod).append("\nlink ").append(link)
        .append("\nparents ").append(parents).append("\nexclude ").append(excludes).append('\n');
    return sb.toString();
  }

  private String content(Heredoc h) throws BuildException {
    return h.expand() ? exec.expand(h.content(), vars, instruction) : h.content();
  }

  @Override
  public void apply(Workspace ws) throws Exception {
    try {
      UpperDirWriter writer = new UpperDirWriter(ws.scratch().upperDir(), ws.lower());
      int[] owner = chown == null ? null : Ownership.resolve(chown, ws.lower());
      FileAttrs newDir = FileAttrs.newDirectory(owner == null ? 0 : owner[0],
          owner == null ? 0 : owner[1]);
      int count = sources.size() + heredocSources.size() + urls.size();
      String dest = destination;
      if (count > 1 && !dest.endsWith("/")) {
        throw exec.located(instruction, "When using " + keyword + " with more than one source"
            + " file, the destination must be a directory and end with a /", null);
      }
      if (!sources.isEmpty()) {
        copySources(writer, dest, owner);
      }
      for (Heredoc h : heredocSources) {
        String target = dest.endsWith("/") ? dest + h.name() : dest;
        writeFile(writer, target, content(h).getBytes(StandardCharsets.UTF_8), 0644, owner,
            newDir);
      }
      for (Downloads.Download d : downloaded) {
        String target = dest.endsWith("/") ? dest + d.name() : dest;
        Path host = writer.prepareEntry(writer.lower().resolve(target, true), false, newDir);
        Files.copy(d.file(), host);
        FileAttrs attrs = FileAttrs.read(d.file()).withOwner(owner == null ? 0 : owner[0],
            owner == null ? 0 : owner[1]);
        (chmod == null ? attrs : attrs.withMode(chmod.apply(attrs.mode(), false))).apply(host);
      }
    } finally {
      if (downloads != null) {
        Trees.deleteRecursively(downloads);
      }
    }
  }

  private void copySources(UpperDirWriter writer, String dest, int[] owner) throws Exception {
    FileSource src = source();
    TreeCopier copier = new TreeCopier(src, exec.env().checksums());
    List<String> plain = new ArrayList<>();
    for (String s : sources) {
      Optional<Path> local = add && from == null ? src.locate(src.resolve(String.join("/", LayeredRootfs.split(s))))
          : Optional.empty();
      if (local.isPresent() && Archives.isArchive(local.get())) {
        // ADD extracts local archives into the destination directory, keeping their owners.
        Path tmp = Files.createTempDirectory(exec.env().store().tmp(), "unpack-");
        try {
          Archives.extract(local.get(), tmp);
          new TreeCopier(DirectorySource.of(tmp, true, "archive " + s),
              exec.env().checksums()).copy(List.of("."), dest.endsWith("/") ? dest : dest + "/",
              writer, owner, chmod, false);
        } finally {
          Trees.deleteRecursively(tmp);
        }
      } else {
        plain.add(s);
      }
    }
    if (!plain.isEmpty()) {
      copier.copy(plain, dest, writer, owner, chmod, parents);
    }
  }

  private void writeFile(UpperDirWriter writer, String target, byte[] bytes, int mode,
      int[] owner, FileAttrs newDir) throws Exception {
    String resolved = writer.lower().resolve(target, true);
    Path host = writer.prepareEntry(resolved, false, newDir);
    Files.write(host, bytes);
    int m = chmod == null ? mode : chmod.apply(mode, false);
    FileAttrs attrs = FileAttrs.read(host).withOwner(owner == null ? 0 : owner[0],
        owner == null ? 0 : owner[1]).withMode(m);
    new FileAttrs(attrs.uid(), attrs.gid(), attrs.mode(), null).apply(host);
  }
}
