package dev.jbuild.samples.buildkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One case of the BuildKit suite: a directory {@code buildkit/<go-file-stem>/<case>/} with an
 * {@code expect} file, an optional {@code Dockerfile} and an optional {@code context/} tree. The
 * {@code expect} file's format is described in {@code buildkit/README.md}; this class only splits
 * it into lines of words, checks that the first line names the Go test, and keeps the build
 * inputs (build args, target, Dockerfile path) apart from the setup and assertion lines.
 *
 * @param id {@code <go-file-stem>/<case>}, the name the test reports
 * @param dir the case directory
 * @param source the first line without {@code # from }: the Go test and its file
 * @param buildArgs {@code arg NAME=VALUE} lines before the first {@code rebuild}: build-args of
 *     every build (an {@code arg} line after a {@code rebuild} is a setup line of that build)
 * @param labels {@code label NAME=VALUE} lines: {@code --label} values
 * @param target the {@code target} line's stage, or null
 * @param secrets {@code secret ID TEXT} lines: build secrets by id
 * @param dockerfile the {@code dockerfile} line's path relative to the laid-out tree, or null
 * @param contextDir the {@code context} line's subdirectory of the laid-out tree that is the
 *     build context, or null for the tree itself
 * @param inputs the directory whose {@code Dockerfile} and {@code context/} the case builds: its
 *     own, or the sibling case an {@code inputs CASE} line names
 * @param setup {@code symlink}, {@code socket}, {@code chmod}, {@code mkdir}, {@code write},
 *     {@code tar} lines: how to finish the context; {@link #BUILD_INPUTS} lines: inputs of the
 *     first build only
 * @param checks every other line: what must hold after the build
 * @param rebuilds what follows each {@code rebuild} line: changes to the context and what must
 *     hold after building it again in the same store
 */
record SuiteCase(String id, Path dir, String source, Map<String, String> buildArgs,
    Map<String, String> labels,
    String target, Map<String, String> secrets, String dockerfile, String contextDir, Path inputs,
    List<Line> setup, List<Line> checks, List<Phase> rebuilds) {

  /** The setup and assertion lines after one {@code rebuild} line. */
  record Phase(List<Line> setup, List<Line> checks) {}

  /** Inputs of the one build of their phase (not of every build of the case). */
  static final List<String> BUILD_INPUTS = Stream.concat(Stream.of("tag", "build-context",
      "network", "shm-size", "ulimit", "platform", "no-cache", "stdin-tar", "arg", "cgroup-parent",
      "memory"), SuiteStores.INPUTS.stream()).toList();

  /**
   * The setup keywords, and {@link #BUILD_INPUTS}, which belong to their phase as setup lines do.
   * Everything else but the case's build inputs is an assertion.
   */
  static final List<String> SETUP = Stream.concat(Stream.of("symlink", "socket",
      "chmod", "mkdir", "write", "tar", "rm"), BUILD_INPUTS.stream()).toList();

  /**
   * One line: its keyword, the words after it and the raw rest (for a line whose last argument
   * is free text).
   *
   * @param number the 1-based line number, for messages
   */
  record Line(int number, String keyword, List<String> words, String text) {
    /** The {@code i}th word after the keyword; fails naming the line when it is missing. */
    String word(int i) {
      if (i >= words.size()) {
        throw new IllegalArgumentException("expect:" + number + ": " + keyword + " needs "
            + (i + 1) + " argument(s)");
      }
      return words.get(i);
    }

    /**
     * The free text after the first {@code skip} words, unescaped: {@code \n}, {@code \t},
     * {@code \\} and {@code \s} (a space, for text that ends in one).
     */
    String textAfter(int skip) {
      String rest = text;
      for (int i = 0; i < skip; i++) {
        rest = stripWord(rest.stripLeading());
      }
      return unescape(rest.isEmpty() ? "" : rest.substring(1));
    }
  }

  /** Reads {@code dir/expect}. */
  static SuiteCase read(String id, Path dir) throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve("expect"), StandardCharsets.UTF_8);
    if (lines.isEmpty() || !lines.get(0).startsWith("# from ")) {
      throw new IllegalArgumentException(dir.resolve("expect") + ": the first line must be "
          + "'# from testName, frontend/dockerfile/<file>_test.go'");
    }
    String source = lines.get(0).substring("# from ".length());
    Map<String, String> args = new LinkedHashMap<>();
    Map<String, String> labels = new LinkedHashMap<>();
    String target = null;
    Map<String, String> secrets = new LinkedHashMap<>();
    String dockerfile = null;
    String contextDir = null;
    Path inputs = dir;
    List<Line> setup = new ArrayList<>();
    List<Line> checks = new ArrayList<>();
    List<Phase> rebuilds = new ArrayList<>();
    List<Line> phaseSetup = setup;
    List<Line> phaseChecks = checks;
    for (int n = 1; n < lines.size(); n++) {
      String raw = lines.get(n);
      if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
        continue;
      }
      Line line = parse(n + 1, raw);
      switch (line.keyword()) {
        case "arg", "label" -> {
          if (line.keyword().equals("arg") && !rebuilds.isEmpty()) {
            // After a rebuild: a build-arg of that build only (the Go test changes its opts).
            phaseSetup.add(line);
            continue;
          }
          String kv = line.word(0);
          int eq = kv.indexOf('=');
          if (eq < 0) {
            throw new IllegalArgumentException("expect:" + line.number() + ": " + line.keyword()
                + " NAME=VALUE");
          }
          (line.keyword().equals("arg") ? args : labels)
              .put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        case "target" -> target = line.word(0);
        case "secret" -> secrets.put(line.word(0), line.textAfter(1));
        case "dockerfile" -> dockerfile = line.word(0);
        case "context" -> contextDir = line.word(0);
        case "inputs" -> {
          // One Go test built several ways: the cases share the first one's files.
          inputs = dir.resolveSibling(line.word(0));
          if (!Files.isDirectory(inputs) || line.word(0).contains("/")
              || line.word(0).startsWith(".")) {
            throw new IllegalArgumentException("expect:" + line.number() + ": inputs names a"
                + " sibling case directory, not " + line.word(0));
          }
        }
        case "rebuild" -> {
          phaseSetup = new ArrayList<>();
          phaseChecks = new ArrayList<>();
          rebuilds.add(new Phase(phaseSetup, phaseChecks));
        }
        default -> (SETUP.contains(line.keyword()) ? phaseSetup : phaseChecks).add(line);
      }
    }
    if (!inputs.equals(dir) && (Files.exists(dir.resolve("Dockerfile"))
        || Files.exists(dir.resolve("context")))) {
      throw new IllegalArgumentException(dir + ": a case with an inputs line has no Dockerfile or"
          + " context/ of its own");
    }
    return new SuiteCase(id, dir, source, args, labels, target, secrets, dockerfile, contextDir,
        inputs, setup, checks, rebuilds);
  }

  /** Splits a line into words; a word may be double-quoted with the escapes of free text. */
  static Line parse(int number, String raw) {
    List<String> words = new ArrayList<>();
    String rest = raw.strip();
    String keyword = null;
    String afterKeyword = "";
    while (!rest.isEmpty()) {
      String next = stripWord(rest);
      String word = rest.substring(0, rest.length() - next.length());
      word = word.startsWith("\"") ? unescape(word.substring(1, word.length() - 1)) : word;
      if (keyword == null) {
        keyword = word;
        afterKeyword = next;
      } else {
        words.add(word);
      }
      rest = next.stripLeading();
    }
    return new Line(number, keyword, words, afterKeyword);
  }

  /** {@code s} without its first word (quoted or not); {@code s} starts with the word. */
  private static String stripWord(String s) {
    if (s.startsWith("\"")) {
      for (int i = 1; i < s.length(); i++) {
        if (s.charAt(i) == '\\') {
          i++;
        } else if (s.charAt(i) == '"') {
          return s.substring(i + 1);
        }
      }
      throw new IllegalArgumentException("unterminated quote in: " + s);
    }
    int space = 0;
    while (space < s.length() && !Character.isWhitespace(s.charAt(space))) {
      space++;
    }
    return s.substring(space);
  }

  static String unescape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 == s.length()) {
        out.append(c);
        continue;
      }
      char e = s.charAt(++i);
      out.append(switch (e) {
        case 'n' -> '\n';
        case 't' -> '\t';
        case 's' -> ' ';
        default -> e;
      });
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return id;
  }
}
