package dev.jbuild.parser.internal;

import dev.jbuild.parser.ast.Add;
import dev.jbuild.parser.ast.Copy;
import dev.jbuild.parser.ast.DockerfileSyntaxException;
import dev.jbuild.parser.ast.Heredoc;
import dev.jbuild.parser.ast.Instruction;
import dev.jbuild.parser.ast.Run;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heredocs of RUN, COPY and ADD: finds the markers among an instruction's words (BuildKit's
 * parser/parser.go heredoc handling) and reads their bodies through the {@link LineJoiner}.
 */
final class HeredocReader {

  // parser/parser.go reHeredoc, applied to each raw word.
  static final Pattern HEREDOC = Pattern.compile("^(\\d*)<<(-?)\\s*([^<]*)$");
  // A heredoc operator written alone, its delimiter in the next word ("<< EOF").
  static final Pattern BARE_HEREDOC = Pattern.compile("^\\d*<<-?$");

  private final LineJoiner joiner;

  HeredocReader(LineJoiner joiner) {
    this.joiner = joiner;
  }

  /**
   * Finds heredoc markers among the raw argument words and reads their bodies. Delimiter words are
   * always processed with {@code \} as escape, whatever the escape directive says.
   */
  List<Heredoc> read(InstructionLine line) throws DockerfileSyntaxException {
    if (!line.rest().contains("<<")) {
      return List.of();
    }
    List<LineSyntax.Token> words = LineSyntaxBuilder.words(line.rest(), '\\');
    List<Heredoc> heredocs = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      Matcher m = HEREDOC.matcher(words.get(i).text());
      if (!m.matches()) {
        continue;
      }
      String delimiter = m.group(3);
      if (delimiter.isEmpty() && i + 1 < words.size()) {
        // Since Dockerfile 1.16 a blank may follow "<<": "<< -EOF" names "-EOF".
        delimiter = words.get(++i).text();
        if (delimiter.contains("<")) {
          continue;
        }
      }
      if (delimiter.isEmpty()) {
        continue;
      }
      String name;
      try {
        name = Words.unquote(delimiter, '\\');
      } catch (IllegalArgumentException e) {
        throw line.error(e.getMessage());
      }
      if (name.isEmpty()) {
        continue;
      }
      boolean expand =
          delimiter.indexOf('\'') < 0 && delimiter.indexOf('"') < 0 && delimiter.indexOf('\\') < 0;
      boolean chomp = m.group(2).equals("-");
      int fd = m.group(1).isEmpty() ? 0 : Integer.parseInt(m.group(1));
      String content =
          joiner.readHeredoc(name, chomp, line.source, line.fileName, line.range().startLine());
      heredocs.add(new Heredoc(name, content, expand, chomp, fd));
    }
    return heredocs;
  }

  /**
   * Joins a bare heredoc operator with the word after it ({@code << EOF} becomes {@code <<EOF}),
   * because since Dockerfile 1.16 a blank may follow {@code <<}: the pair is one source.
   */
  static List<String> joinMarkers(List<String> words) {
    List<String> out = new ArrayList<>(words.size());
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      if (i + 1 < words.size() - 1 && BARE_HEREDOC.matcher(word).matches()
          && !words.get(i + 1).contains("<")) {
        out.add(word + words.get(++i));
      } else {
        out.add(word);
      }
    }
    return out;
  }

  /** The heredocs an instruction carries, none for instructions that cannot have them. */
  static List<Heredoc> heredocsOf(Instruction instruction) {
    if (instruction instanceof Run) {
      return ((Run) instruction).heredocs();
    }
    if (instruction instanceof Copy) {
      return ((Copy) instruction).heredocs();
    }
    if (instruction instanceof Add) {
      return ((Add) instruction).heredocs();
    }
    return List.of();
  }
}
