package dev.jbuild.parser.ast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link GoStrings}. Expected values are what Go 1.21 prints for {@code
 * strconv.Quote}, {@code fmt.Sprintf("%q", []string{…})} and {@code json.Marshal} with HTML
 * escaping off.
 */
class GoStringsTest {
  @Test
  void quote_escapesQuotesBackslashesAndNamedControls() {
    assertEquals("\"a\\\"b\\\\c\"", GoStrings.quote("a\"b\\c"));
    assertEquals("\"tab\\there\\r\\n\"", GoStrings.quote("tab\there\r\n"));
    assertEquals("\"\\a\\b\\f\\v\"", GoStrings.quote("\u0007\b\f\u000b"));
    assertEquals("\"\\x00\\x1b\\x7f\"", GoStrings.quote("\u0000\u001b\u007f"));
    assertEquals("\"\"", GoStrings.quote(""));
  }

  @Test
  void quote_keepsPrintableUnicode_andEscapesTheRest() {
    assertEquals("\"héllo 世界 \uD83D\uDE00\"", GoStrings.quote("héllo 世界 \uD83D\uDE00"));
    assertEquals("\"\\u00a0\"", GoStrings.quote("\u00a0")); // no-break space: not IsPrint
    assertEquals("\"\\u200b\\u2028\"", GoStrings.quote("\u200b\u2028"));
    assertEquals("\"\\U000f0000\"", GoStrings.quote("\uDB80\uDC00")); // private use, plane 15
    assertEquals("\"\\ufffd\"", GoStrings.quote("\uD800")); // a lone surrogate
  }

  @Test
  void lists_renderLikePercentQAndPercentV() {
    assertEquals("[\"sh\" \"-c\" \"a \\\"b\\\"\"]",
        GoStrings.quoteList(List.of("sh", "-c", "a \"b\"")));
    assertEquals("[]", GoStrings.quoteList(List.of()));
    assertEquals("[/a /b c]", GoStrings.valueList(List.of("/a", "/b c")));
  }

  @Test
  void json_escapesControlsAsUnicode_andLeavesHtmlAlone() {
    assertEquals("\"a\\\"\\\\\\n\\r\\t\"", GoStrings.json("a\"\\\n\r\t"));
    assertEquals("\"\\u0008\\u000c\\u001b\\u2028\\u2029\"", GoStrings.json("\b\f\u001b\u2028\u2029"));
    assertEquals("\"<a&b> é\"", GoStrings.json("<a&b> é"));
  }
}
