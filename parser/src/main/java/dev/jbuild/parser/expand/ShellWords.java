package dev.jbuild.parser.expand;

import java.util.ArrayList;
import java.util.List;

/**
 * Word splitting state (lex.go wordsStruct): characters from unquoted variable values and
 * unquoted text split on blanks; quoted and escaped characters never do.
 */
final class ShellWords {
  final List<String> words = new ArrayList<>();
  final StringBuilder word = new StringBuilder();
  boolean inWord;

  void addChar(int ch) {
    if (Character.isWhitespace(ch) && inWord) {
      if (word.length() != 0) {
        words.add(word.toString());
        word.setLength(0);
        inWord = false;
      }
    } else if (!Character.isWhitespace(ch)) {
      addRawChar(ch);
    }
  }

  void addRawChar(int ch) {
    word.appendCodePoint(ch);
    inWord = true;
  }

  void addString(String s) {
    s.codePoints().forEach(this::addChar);
  }

  void addRawString(String s) {
    word.append(s);
    inWord = true;
  }

  List<String> finish() {
    if (word.length() > 0) {
      words.add(word.toString());
      word.setLength(0);
      inWord = false;
    }
    return words;
  }
}
