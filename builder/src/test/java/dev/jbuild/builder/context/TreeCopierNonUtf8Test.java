package dev.jbuild.builder.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.jbuild.builder.fs.LayeredRootfs;
import dev.jbuild.builder.fs.UpperDirWriter;
import dev.jbuild.parser.ignore.DockerIgnore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * COPY of names that are not valid UTF-8 (Latin-1 {@code caf\xe9}, {@code d\xff}, a symlink to
 * {@code \xe9t}), which Linux allows and Docker/BuildKit copy byte for byte: from the context and
 * from a stage's rootfs, with wildcards, into the upperdir; and the cache checksum tells two such
 * names apart. Names are made and checked by the shell, never by the code under test. Before,
 * the copy failed with NoSuchFileException ({@code caf\uFFFD}, the name Java decoded).
 */
@Tag("root")
class TreeCopierNonUtf8Test {
  @TempDir Path tmp;
  Path context;
  Path upper;
  UpperDirWriter writer;

  /** Runs {@code script} in {@code dir}; returns its stdout bytes. */
  static byte[] sh(Path dir, String script) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("/bin/sh", "-c", script).directory(dir.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor(), script);
    return out;
  }

  @BeforeEach
  void setUp() throws Exception {
    context = Files.createDirectories(tmp.resolve("ctx"));
    upper = Files.createDirectories(tmp.resolve("upper"));
    Path lower = Files.createDirectories(tmp.resolve("lower"));
    sh(context, "printf latin > \"$(printf 'caf\\351')\" && printf latin > \"$(printf 'caf\\350')\""
        + " && mkdir \"$(printf 'd\\377')\" && printf in > \"$(printf 'd\\377')/inner\""
        + " && ln -s \"$(printf '\\351t')\" link");
    writer = new UpperDirWriter(upper, new LayeredRootfs(List.of(lower), p -> false));
  }

  private TreeCopier copier(FileSource source) {
    return new TreeCopier(source, ChecksumCache.inMemory());
  }

  private FileSource context() {
    return DirectorySource.context(context, DockerIgnore.empty());
  }

  private static final String SHOW = "for f in \"$(printf 'caf\\350')\" \"$(printf 'caf\\351')\""
      + " \"$(printf 'd\\377')/inner\"; do cat \"$f\"; echo; done; readlink link";

  @Test
  void wholeContext_andWildcards_keepTheBytes() throws Exception {
    copier(context()).copy(List.of("."), "/app", writer, new int[] {0, 0}, null);
    assertArrayEquals(sh(context, SHOW), sh(upper.resolve("app"), SHOW));
    assertEquals("latin\nlatin\nin\n\u00e9t\n".length(), sh(upper.resolve("app"), SHOW).length);

    copier(context()).copy(List.of("caf*"), "/wild/", writer, null, null);
    assertArrayEquals(new byte[] {'c', 'a', 'f', (byte) 0xe8, '\n', 'c', 'a', 'f', (byte) 0xe9,
        '\n'}, sh(upper.resolve("wild"), "ls"));
  }

  @Test
  void fromAStageRootfs_keepsTheBytes() throws Exception {
    copier(context()).copy(List.of("."), "/", writer, new int[] {0, 0}, null);
    // The next stage copies from the first one's tree, as COPY --from does.
    Path next = Files.createDirectories(tmp.resolve("next"));
    UpperDirWriter nextWriter = new UpperDirWriter(next,
        new LayeredRootfs(List.of(Files.createDirectories(tmp.resolve("empty"))), p -> false));
    FileSource stage = new RootfsSource(new LayeredRootfs(List.of(upper), p -> false), "stage");
    copier(stage).copy(List.of("/"), "/copy", nextWriter, null, null);
    assertArrayEquals(sh(context, SHOW), sh(next.resolve("copy"), SHOW));
  }

  @Test
  void checksum_tellsTwoUndecodableNamesApart() throws Exception {
    // caf\xe8 and caf\xe9 hold the same bytes; only their names differ, and both are caf\uFFFD
    // to Path.toString().
    String e8 = copier(context()).checksum(List.of("caf*"));
    sh(context, "rm \"$(printf 'caf\\350')\" && printf latin > \"$(printf 'caf\\347')\"");
    String e7 = copier(context()).checksum(List.of("caf*"));
    assertNotEquals(e8, e7);
    assertEquals(e7, copier(context()).checksum(List.of("caf*")), "stable");
  }
}
