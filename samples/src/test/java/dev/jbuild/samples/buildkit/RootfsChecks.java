package dev.jbuild.samples.buildkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.layerstore.fs.RootedPath;
import dev.jbuild.samples.buildkit.SuiteCase.Line;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checks a case's assertion lines against an exported rootfs and the image config. Paths are
 * resolved inside the rootfs as a container would ({@link RootedPath}): an absolute symlink in
 * the image ({@code var/run -> /run}) leads to the rootfs's {@code /run}, never the host's.
 * Every failed line is collected, so one run shows all that is wrong with a case.
 */
final class RootfsChecks {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path rootfs;
  private final JsonNode config;
  private final Path previous;

  RootfsChecks(Path rootfs, byte[] configBytes) throws IOException {
    this(rootfs, configBytes, null);
  }

  /** With {@code previous}, the rootfs of the build before a rebuild, for same and differs. */
  RootfsChecks(Path rootfs, byte[] configBytes, Path previous) throws IOException {
    this.rootfs = rootfs;
    this.config = JSON.readTree(configBytes);
    this.previous = previous;
  }

  /** The failures of {@code checks}, one line each, empty when all hold. */
  List<String> check(List<Line> checks) {
    return LineCheck.all(checks, this::check);
  }

  private String check(Line line) throws IOException {
    return switch (line.keyword()) {
      case "file" -> {
        Path p = resolve(line.word(0), true);
        String want = line.textAfter(1);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          yield "not a regular file";
        }
        String got = Files.readString(p, StandardCharsets.UTF_8);
        yield got.equals(want) ? null : "content is " + quote(got) + ", expected " + quote(want);
      }
      case "contains" -> {
        Path p = resolve(line.word(0), true);
        String got = Files.readString(p, StandardCharsets.UTF_8);
        String want = line.textAfter(1);
        yield got.contains(want) ? null : "content " + quote(got) + " lacks " + quote(want);
      }
      case "lacks" -> {
        Path p = resolve(line.word(0), true);
        String got = Files.readString(p, StandardCharsets.UTF_8);
        String unwanted = line.textAfter(1);
        yield got.contains(unwanted) ? "content " + quote(got) + " holds " + quote(unwanted) : null;
      }
      case "mode" -> {
        int got = (Integer) attr(line.word(0), "mode") & 07777;
        int want = Integer.parseInt(line.word(1), 8);
        yield got == want ? null : "mode is 0" + Integer.toOctalString(got);
      }
      case "owner" -> {
        String got = attr(line.word(0), "uid") + ":" + attr(line.word(0), "gid");
        yield got.equals(line.word(1)) ? null : "owner is " + got;
      }
      case "dir" -> Files.isDirectory(resolve(line.word(0), true), LinkOption.NOFOLLOW_LINKS)
          ? null : "not a directory";
      case "link" -> {
        Path p = resolve(line.word(0), false);
        if (!Files.isSymbolicLink(p)) {
          yield "not a symlink";
        }
        String got = Files.readSymbolicLink(p).toString();
        yield got.equals(line.word(1)) ? null : "points to " + quote(got);
      }
      case "type" -> {
        Path p = resolve(line.word(0), false);
        String got = Files.isSymbolicLink(p) ? "symlink" : Files.isDirectory(p,
            LinkOption.NOFOLLOW_LINKS) ? "dir" : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
            ? "file" : Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? "other" : "absent";
        yield got.equals(line.word(1)) ? null : "is " + got;
      }
      case "samefile" -> Files.isSameFile(resolve(line.word(0), true), resolve(line.word(1), true))
          ? null : "is not the same file (inode) as " + line.word(1);
      case "same", "differs" -> {
        if (previous == null) {
          throw new IllegalArgumentException(line.keyword() + " needs a rebuild before it");
        }
        boolean same = java.util.Arrays.equals(Files.readAllBytes(resolve(line.word(0), true)),
            Files.readAllBytes(resolveIn(previous, line.word(0), true)));
        yield same == line.keyword().equals("same") ? null
            : same ? "is the same as in the build before" : "differs from the build before";
      }
      case "exists" -> exists(line.word(0)) ? null : "does not exist";
      case "absent" -> exists(line.word(0)) ? "exists" : null;
      case "entries" -> {
        Path p = resolve(line.word(0), true);
        List<String> want = line.words().subList(1, line.words().size()).stream().sorted()
            .toList();
        List<String> got;
        try (Stream<Path> list = Files.list(p)) {
          got = list.map(c -> c.getFileName().toString()).sorted().toList();
        }
        yield got.equals(want) ? null : "entries are " + got;
      }
      case "config" -> {
        JsonNode got = config.at(line.word(0));
        JsonNode want = JSON.readTree(line.textAfter(1));
        boolean same = want.isNull() ? got.isMissingNode() || got.isNull() : want.equals(got);
        yield same ? null : "is " + (got.isMissingNode() ? "absent" : got.toString());
      }
      case "config-contains" -> {
        JsonNode got = config.at(line.word(0));
        String want = line.textAfter(1);
        yield got.isTextual() && got.asText().contains(want) ? null
            : "is " + (got.isMissingNode() ? "absent" : got.toString());
      }
      case "config-count" -> {
        JsonNode got = config.at(line.word(0));
        yield got.size() == Integer.parseInt(line.word(1)) && (got.isArray() || got.isObject())
            ? null : "is " + (got.isMissingNode() ? "absent" : got.toString());
      }
      case "config-has" -> {
        JsonNode got = config.at(line.word(0));
        JsonNode want = JSON.readTree(line.textAfter(1));
        yield includes(got, want) ? null : "is " + (got.isMissingNode() ? "absent" : got);
      }
      default -> throw new IllegalArgumentException("unknown assertion '" + line.keyword()
          + "' (see buildkit/README.md)");
    };
  }

  /** An array holding {@code want} (or each element of an array {@code want}), or an object
   * holding each of {@code want}'s fields with equal values. */
  private static boolean includes(JsonNode got, JsonNode want) {
    if (got instanceof ArrayNode array) {
      List<JsonNode> items = new ArrayList<>();
      array.forEach(items::add);
      if (want instanceof ArrayNode all) {
        for (JsonNode w : all) {
          if (!items.contains(w)) {
            return false;
          }
        }
        return true;
      }
      return items.contains(want);
    }
    if (got instanceof ObjectNode object && want instanceof ObjectNode fields) {
      for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (!f.getValue().equals(object.get(f.getKey()))) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  private Object attr(String path, String name) throws IOException {
    return Files.getAttribute(resolve(path, false), "unix:" + name, LinkOption.NOFOLLOW_LINKS);
  }

  private boolean exists(String path) throws IOException {
    return Files.exists(resolve(path, false), LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * {@code path} inside the rootfs, symlinks on the way resolved inside it; the last one only
   * when {@code followLast}.
   */
  Path resolve(String path, boolean followLast) throws IOException {
    return resolveIn(rootfs, path, followLast);
  }

  private static Path resolveIn(Path rootfs, String path, boolean followLast)
      throws IOException {
    List<String> parts = RootedPath.clamped().followingLast(followLast).resolve(path,
        (resolved, last) -> {
          Path p = rootfs.resolve(String.join("/", resolved));
          return Files.isSymbolicLink(p)
              ? Optional.of(Files.readSymbolicLink(p).toString()) : Optional.empty();
        });
    return parts.isEmpty() ? rootfs : rootfs.resolve(String.join("/", parts));
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t") + "\"";
  }
}
